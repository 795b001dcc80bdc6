import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import type { StoreOptions } from './store.js';
import { storeBackends } from './testing/index.js';
import { TEST_DATABASE_URL } from './testing/postgres-backend.js';

const run = promisify(execFile);
const openStoreUrl = new URL('./open-store.ts', import.meta.url).href;
const PROCESSES = 4;

/** Opens a store in a separate Node process, migrates, and prints what it applied. */
async function migrateInChild(options: StoreOptions): Promise<string[]> {
  const script = `
    const { openStore } = await import(${JSON.stringify(openStoreUrl)});
    const store = await openStore(${JSON.stringify(options)});
    try { console.log(JSON.stringify(await store.migrate())); } finally { await store.close(); }
  `;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  return JSON.parse(stdout) as string[];
}

async function migrateFromSeveralProcesses(options: StoreOptions): Promise<void> {
  const applied = await Promise.all(Array.from({ length: PROCESSES }, () => migrateInChild(options)));
  // Exactly one process applied the migrations; the others found nothing pending.
  assert.deepEqual(applied.flat(), Object.keys(migrations));
}

for (const backend of storeBackends()) {
  describe(`${backend.name}: migrate() from several processes at once`, { skip: backend.skipReason }, () => {
    const cleanUps: Array<() => Promise<void>> = [];
    after(async () => {
      for (const cleanUp of cleanUps) await cleanUp();
    });

    it('applies each migration exactly once', async () => {
      if (backend.name === 'sqlite') {
        const dir = await mkdtemp(join(tmpdir(), 'gatehouse-migrate-'));
        cleanUps.push(() => rm(dir, { recursive: true, force: true }));
        await migrateFromSeveralProcesses({ kind: 'sqlite', file: join(dir, 'data', 'gatehouse.db') });
        return;
      }
      // The migrator creates the schema itself; another process may be doing so at the same time.
      const schema = `gatehouse_test_${process.pid}_${randomBytes(6).toString('hex')}`;
      cleanUps.push(() => dropSchema(schema));
      await migrateFromSeveralProcesses({ kind: 'postgres', url: TEST_DATABASE_URL, schema, poolSize: 2 });
    });
  });
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
