import type { Kysely } from 'kysely';

// Device authorizations (RFC 8628): one row per device_code, keyed by a keyed digest of the
// device code; the user code is kept only as a keyed digest too, unique so that a code the
// person types names exactly one row. Same conventions as 0001: 'text' and 'bigint' only,
// JSON as text, so this one file serves SQLite and PostgreSQL.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_authorizations')
    .addColumn('device_code_digest', 'text', (c) => c.primaryKey())
    .addColumn('user_code_digest', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('resources', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // Not `interval`: a keyword in PostgreSQL.
    .addColumn('poll_interval', 'bigint', (c) => c.notNull())
    .addColumn('last_polled_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('address', 'text')
    .addColumn('user_id', 'text')
    .addColumn('session_id', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('approved_scopes', 'text')
    .addColumn('auth_time', 'bigint')
    .addColumn('amr', 'text')
    .addColumn('acr', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('device_authorizations_user_code_idx')
    .on('device_authorizations')
    .column('user_code_digest')
    .unique()
    .execute();
  await db.schema
    .createIndex('device_authorizations_expires_at_idx')
    .on('device_authorizations')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('device_authorizations').execute();
}
