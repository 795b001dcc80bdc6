import type { Kysely } from 'kysely';

// No query looks a token row up by `jti` (JWTs are deny-listed in revoked_jwts, keyed by jti
// there), yet every insert paid for the index: jti values are random, so each new row dirtied a
// random index page. Same conventions as 0001.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tokens_jti_idx').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('tokens_jti_idx').on('tokens').column('jti').execute();
}
