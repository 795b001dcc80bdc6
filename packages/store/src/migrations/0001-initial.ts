import type { Kysely } from 'kysely';

// Column types are the ones both dialects understand: 'text' and 'bigint' (INTEGER affinity in
// SQLite, int8 in PostgreSQL). Migrations take Kysely<unknown> so they never depend on the
// current shape of schema.ts, which keeps moving after this file is frozen.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('secret_digest', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('confirmation', 'text')
    .addColumn('extra', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tokens_expires_at_idx').on('tokens').column('expires_at').execute();
  await db.schema.createIndex('tokens_jti_idx').on('tokens').column('jti').execute();

  await db.schema
    .createTable('revoked_jwts')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('revoked_jwts_expires_at_idx')
    .on('revoked_jwts')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('replay')
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('replay_pk', ['namespace', 'key'])
    .execute();
  await db.schema.createIndex('replay_expires_at_idx').on('replay').column('expires_at').execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_key_jwe', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('activates_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['signing_keys', 'replay', 'revoked_jwts', 'tokens', 'clients']) {
    await db.schema.dropTable(table).execute();
  }
}
