import { prepareQuery } from './prepared-query.js';
import type { GrantsTable } from './schema.js';
import type { GrantRecord, GrantStore } from './store.js';
import type { StoreContext } from './store-context.js';

const COLUMNS = [
  'id',
  'user_id',
  'client_id',
  'scopes',
  'resources',
  'claims',
  'created_at',
  'updated_at',
  'revoked_at',
] as const;

export function createGrantStore({ db, statements, readRows }: StoreContext): GrantStore {
  // Read at every authorization request, to decide whether consent must be asked.
  const findQuery = prepareQuery<{ userId: string; clientId: string }, GrantsTable>(statements, (arg) =>
    db
      .selectFrom('grants')
      .select(COLUMNS)
      .where('user_id', '=', arg('userId'))
      .where('client_id', '=', arg('clientId'))
      .where('revoked_at', 'is', null),
  );

  return {
    async find(userId, clientId) {
      const query = findQuery({ userId, clientId });
      const rows = (readRows ? readRows(query) : (await db.executeQuery(query)).rows) as GrantsTable[];
      return rows[0] && toRecord(rows[0]);
    },

    async findById(id) {
      const row = await db.selectFrom('grants').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    async upsert(record) {
      // One statement against the partial unique index of live grants, so two concurrent
      // consents of one user to one client end in one live grant: PostgreSQL makes the second
      // insert wait for the first and then update its row; SQLite has one writer at a time.
      const row = toRow(record);
      const stored = await db
        .insertInto('grants')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['user_id', 'client_id']).where('revoked_at', 'is', null).doUpdateSet({
            scopes: row.scopes,
            resources: row.resources,
            claims: row.claims,
            updated_at: row.updated_at,
          }),
        )
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      return toRecord(stored);
    },

    async listByUser(userId, options = {}) {
      let query = db.selectFrom('grants').select(COLUMNS).where('user_id', '=', userId);
      if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
      const rows = await query.orderBy('updated_at', 'desc').orderBy('id').execute();
      return rows.map(toRecord);
    },

    async revoke(id, at) {
      const result = await db
        .updateTable('grants')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async deleteRevoked(before) {
      const result = await db.deleteFrom('grants').where('revoked_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRow(record: GrantRecord): GrantsTable {
  return {
    id: record.id,
    user_id: record.userId,
    client_id: record.clientId,
    scopes: JSON.stringify(record.scopes),
    resources: JSON.stringify(record.resources),
    claims: record.claims == null ? null : JSON.stringify(record.claims),
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    revoked_at: record.revokedAt,
  };
}

function toRecord(row: GrantsTable): GrantRecord {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    scopes: JSON.parse(row.scopes) as string[],
    resources: JSON.parse(row.resources) as string[],
    claims: row.claims === null ? null : (JSON.parse(row.claims) as Record<string, unknown>),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revokedAt: row.revoked_at,
  };
}
