import type { Kysely } from 'kysely';

// Users and the login-throttle counters. Same conventions as 0001: 'text' and 'bigint' only,
// JSON arrays as text, booleans as 0/1, so this one file serves SQLite and PostgreSQL.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('email_key', 'text')
    .addColumn('email_verified', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('groups', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Unique indexes, not a check before the insert: the database decides between concurrent
  // inserts. Both dialects let any number of rows have a null email_key.
  await db.schema.createIndex('users_username_key_idx').on('users').column('username_key').unique().execute();
  await db.schema.createIndex('users_email_key_idx').on('users').column('email_key').unique().execute();

  await db.schema
    .createTable('login_attempts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'bigint', (c) => c.notNull())
    .addColumn('first_failure_at', 'bigint', (c) => c.notNull())
    .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('login_attempts_expires_at_idx')
    .on('login_attempts')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['login_attempts', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
