import { createGroupCommit } from './group-commit.js';
import { prepareQuery } from './prepared-query.js';
import type { TokensTable } from './schema.js';
import type { TokenRecord, TokenStore } from './store.js';
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
] as const;

/** 256 rows x 12 columns stays far below either dialect's limit on bound parameters. */
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

  const tokens: TokenStore = {
    insert: (record) => inserts.submit(toRow(record)),

    async findByDigest(digest) {
      const query = findQuery({ digest });
      const rows = (readRows ? readRows(query) : (await db.executeQuery(query)).rows) as TokensTable[];
      return rows[0] && toRecord(rows[0]);
    },

    async revoke(digest, at) {
      const { numAffectedRows } = await db.executeQuery(revokeQuery({ digest, at }));
      return (numAffectedRows ?? 0n) > 0n;
    },

    async deleteExpired(before) {
      const result = await db.deleteFrom('tokens').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
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
  };
}
