import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { createMigrator, migrations } from './migrations/index.js';
import { openStore } from './open-store.js';
import { createPostgresKysely } from './postgres-dialect.js';
import { PreparedStatements } from './prepared-query.js';
import type { Database } from './schema.js';
import { createSqliteKysely } from './sqlite-dialect.js';
import type { Store } from './store.js';
import { storeBackends } from './testing/index.js';
import { TEST_DATABASE_URL } from './testing/postgres-backend.js';

const T0 = 1_767_225_600;

/** A token row as 0001 shaped it, written before the sign-in columns existed. */
async function writeOldToken(db: Kysely<Database>, schema: string | undefined): Promise<void> {
  const { error } = await createMigrator(db, schema).migrateTo('0002-accounts');
  if (error) throw error;
  await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
    .insertInto('tokens')
    .values({
      digest: 'old',
      kind: 'refresh_token',
      jti: 'j',
      client_id: 'web',
      subject: 'user-1',
      scope: 'openid',
      audience: '[]',
      issued_at: T0,
      expires_at: T0 + 60,
      revoked_at: null,
      confirmation: null,
      extra: '{}',
    })
    .execute();
  await db.destroy();
}

async function assertUpgraded(store: Store): Promise<void> {
  // Every migration after 0002 applies, 0003 first (and 0006-jwt-token-rows among them).
  assert.deepEqual(
    await store.migrate(),
    Object.keys(migrations).filter((name) => name > '0002-accounts'),
  );
  const token = await store.tokens.findByDigest('old');
  assert.equal(token?.format, undefined, 'an existing row is an opaque token');
  assert.equal(token?.familyId, null);
  assert.equal(token?.offline, false);
  assert.equal(token?.rotatedAt, null);
  assert.equal(await store.tokens.revokeBySession('s', T0, { exceptOffline: true }), 0);
}

const postgres = storeBackends().find((b) => b.name === 'postgres');

describe('migration 0003-sign-in on a database that already holds tokens', () => {
  it('sqlite: adds the columns with their defaults to existing rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-upgrade-'));
    try {
      const file = join(dir, 'gatehouse.db');
      await writeOldToken(createSqliteKysely(file, new PreparedStatements()).db, undefined);
      const store = await openStore({ kind: 'sqlite', file });
      try {
        await assertUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('postgres: adds the columns with their defaults to existing rows', {
    skip: postgres?.skipReason,
  }, async () => {
    const schema = `gatehouse_test_${process.pid}_${randomBytes(6).toString('hex')}`;
    const admin = async (statement: string) => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    };
    await admin(`create schema ${schema}`);
    try {
      const db = createPostgresKysely(
        { url: TEST_DATABASE_URL, poolSize: 1, schema },
        new PreparedStatements(),
      );
      // The migrator keeps its bookkeeping in the schema, as openStore's does.
      await writeOldToken(db, schema);
      const store = await openStore({ kind: 'postgres', url: TEST_DATABASE_URL, schema, poolSize: 1 });
      try {
        await assertUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      await admin(`drop schema if exists ${schema} cascade`);
    }
  });
});
