import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Browser sign-in: sessions, grants (consent), authorization codes, pushed authorization
// requests, and the columns that tie tokens to a refresh family, a session and a grant.
// Same conventions as 0001: 'text' and 'bigint' only, JSON as text, booleans as 0/1, so this
// one file serves SQLite and PostgreSQL.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sid', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('idle_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('absolute_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('acr', 'text')
    .addColumn('ended_at', 'bigint')
    .addColumn('end_reason', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('address', 'text')
    .execute();
  await db.schema.createIndex('sessions_sid_idx').on('sessions').column('sid').unique().execute();
  await db.schema
    .createIndex('sessions_user_id_idx')
    .on('sessions')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('sessions_idle_expires_at_idx')
    .on('sessions')
    .column('idle_expires_at')
    .execute();
  await db.schema
    .createIndex('sessions_absolute_expires_at_idx')
    .on('sessions')
    .column('absolute_expires_at')
    .execute();

  await db.schema
    .createTable('grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('resources', 'text', (c) => c.notNull())
    .addColumn('claims', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  // At most one live grant per user and client: the upsert's conflict target. Revoked grants
  // stay as history beside it. Both dialects support partial unique indexes.
  await db.schema
    .createIndex('grants_live_user_client_idx')
    .on('grants')
    .columns(['user_id', 'client_id'])
    .unique()
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
  await db.schema.createIndex('grants_user_id_idx').on('grants').column('user_id').execute();

  await db.schema
    .createTable('authorization_codes')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text')
    .addColumn('code_challenge', 'text', (c) => c.notNull())
    .addColumn('code_challenge_method', 'text', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('acr', 'text')
    .addColumn('dpop_jkt', 'text')
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .addColumn('extra', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('authorization_codes_expires_at_idx')
    .on('authorization_codes')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('pushed_requests')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('pushed_requests_expires_at_idx')
    .on('pushed_requests')
    .column('expires_at')
    .execute();

  // One ALTER per column: SQLite accepts a single ADD COLUMN per statement. A NOT NULL column
  // added to a table with rows needs a default in both dialects.
  for (const column of ['family_id', 'session_id', 'grant_id', 'parent_digest']) {
    await db.schema.alterTable('tokens').addColumn(column, 'text').execute();
  }
  await db.schema.alterTable('tokens').addColumn('rotated_at', 'bigint').execute();
  await db.schema
    .alterTable('tokens')
    .addColumn('offline', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // Partial: most tokens (client credentials) have none of these, and every index slows the
  // group-commit insert path a little. `column = ?` implies `IS NOT NULL`, so both planners
  // use them for the revoke-by lookups.
  for (const column of ['family_id', 'session_id', 'grant_id']) {
    await db.schema
      .createIndex(`tokens_${column}_idx`)
      .on('tokens')
      .column(column)
      .where(sql.ref(column), 'is not', null)
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['family_id', 'session_id', 'grant_id']) {
    await db.schema.dropIndex(`tokens_${column}_idx`).execute();
  }
  for (const column of ['offline', 'rotated_at', 'parent_digest', 'grant_id', 'session_id', 'family_id']) {
    await db.schema.alterTable('tokens').dropColumn(column).execute();
  }
  for (const table of ['pushed_requests', 'authorization_codes', 'grants', 'sessions']) {
    await db.schema.dropTable(table).execute();
  }
}
