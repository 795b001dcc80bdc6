import { prepareQuery } from './prepared-query.js';
import type { RevokedJwtStore } from './store.js';
import type { StoreContext } from './store-context.js';

export function createRevokedJwtStore({ db, statements, readRows }: StoreContext): RevokedJwtStore {
  // Checked on every JWT a resource server or the gateway accepts.
  const hasQuery = prepareQuery<{ jti: string }, { jti: string }>(statements, (arg) =>
    db.selectFrom('revoked_jwts').select('jti').where('jti', '=', arg('jti')),
  );

  return {
    async add(jti, expiresAt) {
      // Revoking twice is not an error (RFC 7009 revocation is idempotent for the caller).
      await db
        .insertInto('revoked_jwts')
        .values({ jti, expires_at: expiresAt })
        .onConflict((oc) => oc.column('jti').doNothing())
        .execute();
    },

    async has(jti) {
      const query = hasQuery({ jti });
      const rows = readRows ? readRows(query) : (await db.executeQuery(query)).rows;
      return rows.length > 0;
    },

    async deleteExpired(before) {
      const result = await db.deleteFrom('revoked_jwts').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
