import { createGroupCommit } from './group-commit.js';
import { createGroupRead } from './group-read.js';
import { prepareQuery } from './prepared-query.js';
import type { TokensTable } from './schema.js';
import type { TokenRecord, TokenRotation, TokenStore } from './store.js';
import type { StoreContext } from './store-context.js';

const COLUMNS = [
  'digest',
  'kind',
  'jti',
  'client_id',
  'subject',
  'scope',
  'audience',
  'issued_at',
  'expires_at',
  'revoked_at',
  'confirmation',
  'extra',
  'family_id',
  'session_id',
  'grant_id',
  'parent_digest',
  'rotated_at',
  'offline',
  'format',
] as const;

/** 256 rows x 19 columns (or 256 digests) stays far below either dialect's limit on bound parameters. */
const MAX_BATCH_SIZE = 256;

export interface TokenStoreHandle {
  tokens: TokenStore;
  /** Waits for queued inserts; close() calls it before the connection goes away. */
  drain(): Promise<void>;
}

export function createTokenStore({ db, statements, readRows }: StoreContext): TokenStoreHandle {
  const findQuery = prepareQuery<{ digest: string }, TokensTable>(statements, (arg) =>
    db.selectFrom('tokens').select(COLUMNS).where('digest', '=', arg('digest')),
  );
  const revokeQuery = prepareQuery<{ digest: string; at: number }, never>(statements, (arg) =>
    db
      .updateTable('tokens')
      .set({ revoked_at: arg('at') })
      .where('digest', '=', arg('digest'))
      .where('revoked_at', 'is', null),
  );

  // The compare-and-set of a rotation: only a live, unrotated, unexpired refresh token. In
  // PostgreSQL a concurrent second UPDATE waits for the first's row lock and then re-checks
  // `rotated_at is null`, so it matches nothing; SQLite has one writer at a time.
  const markRotatedQuery = prepareQuery<{ digest: string; at: number }, { digest: string }>(
    statements,
    (arg) =>
      db
        .updateTable('tokens')
        .set({ rotated_at: arg('at') })
        .where('digest', '=', arg('digest'))
        .where('kind', '=', 'refresh_token')
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', arg('at'))
        .returning('digest'),
  );

  // The deny-list insert and the update commit together: a JWT row is never marked revoked
  // while its jti stays off the list. Both pick the same rows (live ones), and a concurrent
  // second revocation finds none left or inserts a jti already listed, which is a no-op.
  const revokeWhere = (
    column: 'family_id' | 'session_id' | 'grant_id',
    value: string,
    at: number,
    exceptOffline = false,
  ) =>
    db.transaction().execute(async (trx) => {
      let jwts = trx
        .selectFrom('tokens')
        .select(['jti', 'expires_at'])
        .where(column, '=', value)
        .where('revoked_at', 'is', null)
        .where('format', '=', 'jwt');
      if (exceptOffline) jwts = jwts.where('offline', '=', 0);
      await trx
        .insertInto('revoked_jwts')
        .columns(['jti', 'expires_at'])
        .expression(jwts)
        .onConflict((oc) => oc.column('jti').doNothing())
        .execute();
      let query = trx
        .updateTable('tokens')
        .set({ revoked_at: at })
        .where(column, '=', value)
        .where('revoked_at', 'is', null);
      if (exceptOffline) query = query.where('offline', '=', 0);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    });

  // One multi-row INSERT per batch in both dialects: a single statement is its own
  // transaction, so the batch commits (and syncs) once and is all-or-nothing, which is what
  // the group commit's per-item retry relies on.
  const inserts = createGroupCommit<TokensTable>({
    maxBatchSize: MAX_BATCH_SIZE,
    writeBatch: async (rows) => {
      await db.insertInto('tokens').values(rows).execute();
      return rows.map(() => undefined);
    },
  });

  // Every introspection, revocation and UserInfo request reads one token: SQLite reads them
  // with the prepared point query, back to back; PostgreSQL in one round trip.
  const lookups = createGroupRead<string, TokenRecord>({
    maxBatchSize: MAX_BATCH_SIZE,
    readBatch: async (digests) => {
      const found = new Map<string, TokenRecord>();
      if (readRows) {
        for (const digest of digests) {
          const row = (readRows(findQuery({ digest })) as TokensTable[])[0];
          if (row) found.set(digest, toRecord(row));
        }
        return found;
      }
      const rows = await db
        .selectFrom('tokens')
        .select(COLUMNS)
        .where('digest', 'in', [...new Set(digests)])
        .execute();
      for (const row of rows) found.set(row.digest, toRecord(row));
      return found;
    },
  });

  const tokens: TokenStore = {
    insert: (record) => inserts.submit(toRow(record)),

    findByDigest: (digest) => lookups.read(digest),

    async revoke(digest, at) {
      const { numAffectedRows } = await db.executeQuery(revokeQuery({ digest, at }));
      return (numAffectedRows ?? 0n) > 0n;
    },

    async deleteExpired(before) {
      const result = await db.deleteFrom('tokens').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    // Not through the group commit: the mark and the insert must commit together, or a
    // failed insert would leave the client holding only a rotated (dead) token.
    rotate: (oldDigest, next, at) =>
      db.transaction().execute(async (trx): Promise<TokenRotation> => {
        const marked = await trx.executeQuery(markRotatedQuery({ digest: oldDigest, at }));
        if (marked.rows.length > 0) {
          await trx.insertInto('tokens').values(toRow(next)).execute();
          return { ok: true };
        }
        const row = await trx
          .selectFrom('tokens')
          .select(COLUMNS)
          .where('digest', '=', oldDigest)
          .executeTakeFirst();
        if (row?.kind !== 'refresh_token') return { ok: false, reason: 'not_found' };
        const token = toRecord(row);
        if (row.rotated_at !== null) return { ok: false, reason: 'reused', token };
        if (row.revoked_at !== null) return { ok: false, reason: 'revoked', token };
        return { ok: false, reason: 'expired', token };
      }),

    revokeFamily: (familyId, at) => revokeWhere('family_id', familyId, at),
    revokeBySession: (sessionId, at, options = {}) =>
      revokeWhere('session_id', sessionId, at, options.exceptOffline ?? false),
    revokeByGrant: (grantId, at) => revokeWhere('grant_id', grantId, at),
  };
  return { tokens, drain: () => inserts.drain() };
}

function toRow(record: TokenRecord): TokensTable {
  return {
    digest: record.digest,
    kind: record.kind,
    jti: record.jti,
    client_id: record.clientId,
    subject: record.subject,
    scope: record.scope,
    audience: JSON.stringify(record.audience),
    issued_at: record.issuedAt,
    expires_at: record.expiresAt,
    revoked_at: record.revokedAt,
    confirmation: record.confirmation === null ? null : JSON.stringify(record.confirmation),
    extra: JSON.stringify(record.extra),
    family_id: record.familyId ?? null,
    session_id: record.sessionId ?? null,
    grant_id: record.grantId ?? null,
    parent_digest: record.parentDigest ?? null,
    rotated_at: record.rotatedAt ?? null,
    offline: record.offline ? 1 : 0,
    format: record.format ?? 'opaque',
  };
}

function toRecord(row: TokensTable): TokenRecord {
  return {
    digest: row.digest,
    kind: row.kind,
    jti: row.jti,
    clientId: row.client_id,
    subject: row.subject,
    scope: row.scope,
    audience: JSON.parse(row.audience) as string[],
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    confirmation: row.confirmation === null ? null : (JSON.parse(row.confirmation) as Record<string, string>),
    extra: JSON.parse(row.extra) as Record<string, unknown>,
    familyId: row.family_id,
    sessionId: row.session_id,
    grantId: row.grant_id,
    parentDigest: row.parent_digest,
    rotatedAt: row.rotated_at,
    offline: Number(row.offline) === 1,
    ...(row.format === 'jwt' ? { format: 'jwt' as const } : {}),
  };
}
