import { prepareQuery } from './prepared-query.js';
import type { AuthorizationCodesTable } from './schema.js';
import type { AuthorizationCodeRecord, AuthorizationCodeStore } from './store.js';
import type { StoreContext } from './store-context.js';

const COLUMNS = [
  'digest',
  'client_id',
  'user_id',
  'session_id',
  'grant_id',
  'redirect_uri',
  'scope',
  'resource',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'auth_time',
  'amr',
  'acr',
  'dpop_jkt',
  'issued_at',
  'expires_at',
  'consumed_at',
  'extra',
] as const;

export function createAuthorizationCodeStore({ db, statements }: StoreContext): AuthorizationCodeStore {
  // The compare-and-set that makes a code single-use: in PostgreSQL a concurrent second
  // UPDATE waits for the first's row lock, re-checks `consumed_at is null` and matches
  // nothing; SQLite has one writer at a time.
  const consumeQuery = prepareQuery<{ digest: string; at: number }, AuthorizationCodesTable>(
    statements,
    (arg) =>
      db
        .updateTable('authorization_codes')
        .set({ consumed_at: arg('at') })
        .where('digest', '=', arg('digest'))
        .where('consumed_at', 'is', null)
        .returning(COLUMNS),
  );
  const findQuery = prepareQuery<{ digest: string }, AuthorizationCodesTable>(statements, (arg) =>
    db.selectFrom('authorization_codes').select(COLUMNS).where('digest', '=', arg('digest')),
  );

  return {
    async insert(record) {
      const { sessionId } = record;
      if (sessionId === null) {
        await db.insertInto('authorization_codes').values(toRow(record)).execute();
        return;
      }
      // The session's client list must not miss a client that holds a code: one transaction.
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('authorization_codes').values(toRow(record)).execute();
        await trx
          .insertInto('session_clients')
          .values({ session_id: sessionId, client_id: record.clientId, first_seen_at: record.issuedAt })
          .onConflict((oc) => oc.columns(['session_id', 'client_id']).doNothing())
          .execute();
      });
    },

    async consume(digest, at) {
      const [first] = (await db.executeQuery(consumeQuery({ digest, at }))).rows;
      if (first) return { code: toRecord(first), alreadyConsumed: false };
      const [row] = (await db.executeQuery(findQuery({ digest }))).rows;
      return row && { code: toRecord(row), alreadyConsumed: true };
    },

    async consumeByGrant(grantId, at) {
      const result = await db
        .updateTable('authorization_codes')
        .set({ consumed_at: at })
        .where('grant_id', '=', grantId)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async deleteExpired(before) {
      const result = await db
        .deleteFrom('authorization_codes')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRow(record: AuthorizationCodeRecord): AuthorizationCodesTable {
  return {
    digest: record.digest,
    client_id: record.clientId,
    user_id: record.userId,
    session_id: record.sessionId,
    grant_id: record.grantId,
    redirect_uri: record.redirectUri,
    scope: record.scope,
    resource: JSON.stringify(record.resource),
    nonce: record.nonce,
    code_challenge: record.codeChallenge,
    code_challenge_method: record.codeChallengeMethod,
    auth_time: record.authTime,
    amr: JSON.stringify(record.amr),
    acr: record.acr,
    dpop_jkt: record.dpopJkt,
    issued_at: record.issuedAt,
    expires_at: record.expiresAt,
    consumed_at: record.consumedAt,
    extra: JSON.stringify(record.extra),
  };
}

function toRecord(row: AuthorizationCodesTable): AuthorizationCodeRecord {
  return {
    digest: row.digest,
    clientId: row.client_id,
    userId: row.user_id,
    sessionId: row.session_id,
    grantId: row.grant_id,
    redirectUri: row.redirect_uri,
    scope: row.scope,
    resource: JSON.parse(row.resource) as string[],
    nonce: row.nonce,
    codeChallenge: row.code_challenge,
    codeChallengeMethod: row.code_challenge_method,
    authTime: row.auth_time,
    amr: JSON.parse(row.amr) as string[],
    acr: row.acr,
    dpopJkt: row.dpop_jkt,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
    extra: JSON.parse(row.extra) as Record<string, unknown>,
  };
}
