import type { PushedRequestsTable } from './schema.js';
import type { PushedAuthorizationRequestRecord, PushedAuthorizationRequestStore } from './store.js';
import type { StoreContext } from './store-context.js';

const COLUMNS = ['digest', 'client_id', 'params', 'expires_at', 'consumed_at'] as const;

export function createPushedRequestStore({ db }: StoreContext): PushedAuthorizationRequestStore {
  return {
    async insert(record) {
      await db.insertInto('pushed_requests').values(toRow(record)).execute();
    },

    async consume(digest, clientId, at) {
      // One conditional UPDATE decides between concurrent callers, as for authorization codes.
      const row = await db
        .updateTable('pushed_requests')
        .set({ consumed_at: at })
        .where('digest', '=', digest)
        .where('client_id', '=', clientId)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', at)
        .returning(COLUMNS)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async deleteExpired(before) {
      const result = await db
        .deleteFrom('pushed_requests')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRow(record: PushedAuthorizationRequestRecord): PushedRequestsTable {
  return {
    digest: record.digest,
    client_id: record.clientId,
    params: JSON.stringify(record.params),
    expires_at: record.expiresAt,
    consumed_at: record.consumedAt,
  };
}

function toRecord(row: PushedRequestsTable): PushedAuthorizationRequestRecord {
  return {
    digest: row.digest,
    clientId: row.client_id,
    params: JSON.parse(row.params) as Record<string, string | string[]>,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}
