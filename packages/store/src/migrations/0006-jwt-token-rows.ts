import type { Kysely } from 'kysely';

// JWT access tokens issued under a sign-in (code, refresh and device grants) get a row in
// `tokens` too, marked `format = 'jwt'`, so that revoking their family (code or refresh-token
// reuse, RFC 6749 §4.1.2 and RFC 9700 §4.14.2), session or grant can put their `jti` on the
// revoked_jwts deny-list. Existing rows are opaque tokens. Same conventions as 0001.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tokens')
    .addColumn('format', 'text', (c) => c.notNull().defaultTo('opaque'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tokens').dropColumn('format').execute();
}
