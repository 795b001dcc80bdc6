import { prepareQuery } from './prepared-query.js';
import type { ClientsTable } from './schema.js';
import type { ClientMetadata, ClientRecord, ClientStore } from './store.js';
import type { StoreContext } from './store-context.js';

const COLUMNS = ['client_id', 'secret_digest', 'metadata', 'source', 'created_at', 'updated_at'] as const;

export function createClientStore({ db, statements, readRows }: StoreContext): ClientStore {
  // Client lookup runs on every authenticated request: compiled once.
  const findQuery = prepareQuery<{ clientId: string }, ClientsTable>(statements, (arg) =>
    db.selectFrom('clients').select(COLUMNS).where('client_id', '=', arg('clientId')),
  );

  return {
    async find(clientId) {
      const query = findQuery({ clientId });
      const rows = (readRows ? readRows(query) : (await db.executeQuery(query)).rows) as ClientsTable[];
      return rows[0] && toRecord(rows[0]);
    },

    async list() {
      const rows = await db.selectFrom('clients').select(COLUMNS).orderBy('client_id').execute();
      return rows.map(toRecord);
    },

    async upsert(record) {
      const row = toRow(record);
      const { client_id: _, ...rest } = row;
      await db
        .insertInto('clients')
        .values(row)
        .onConflict((oc) => oc.column('client_id').doUpdateSet(rest))
        .execute();
    },

    async remove(clientId) {
      const result = await db.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function toRow(record: ClientRecord): ClientsTable {
  return {
    client_id: record.clientId,
    secret_digest: record.secretDigest,
    metadata: JSON.stringify(record.metadata),
    source: record.source,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

function toRecord(row: ClientsTable): ClientRecord {
  return {
    clientId: row.client_id,
    secretDigest: row.secret_digest,
    metadata: JSON.parse(row.metadata) as ClientMetadata,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
