import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../open-store.js';
import type { Store } from '../store.js';
import type { OpenTestStoreOptions } from './test-store.js';
import { prepareTestStore } from './test-store.js';

export const TEST_DATABASE_URL =
  process.env['GATEHOUSE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL cannot be used here, or undefined when it answers. */
export async function probePostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `PostgreSQL unreachable at ${redact(url)} (${message}); set GATEHOUSE_TEST_DATABASE_URL`;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A store in a fresh schema of the test database, so test files running in parallel never
 * see each other's rows; close() drops the schema.
 */
export async function openPostgresTestStore(options: OpenTestStoreOptions = {}): Promise<Store> {
  // pid + random: unique across the test runner's worker processes and within each one.
  const schema = `gatehouse_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await admin(`create schema ${schema}`);
  try {
    const store = await openStore({
      kind: 'postgres',
      url: TEST_DATABASE_URL,
      schema,
      poolSize: 5,
      clock: options.clock,
    });
    return await prepareTestStore(store, options, () => admin(`drop schema if exists ${schema} cascade`));
  } catch (error) {
    await admin(`drop schema if exists ${schema} cascade`);
    throw error;
  }
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
