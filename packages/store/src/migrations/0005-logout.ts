import type { Kysely } from 'kysely';

// OpenID Connect Back-Channel Logout: which clients a session signed in to. An authorization
// code issued through a session records its client here, and the row outlives the code and
// the tokens (both are deleted once expired), so that ending an eight-hour session still
// reaches a client that signed in through it in its first minute. Same conventions as 0001:
// 'text' and 'bigint' only, so this one file serves SQLite and PostgreSQL.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('session_clients')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_clients_pk', ['session_id', 'client_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('session_clients').execute();
}
