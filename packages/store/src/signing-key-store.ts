import type { SigningKeysTable } from './schema.js';
import type { SigningKeyRecord, SigningKeyStore } from './store.js';
import type { StoreContext } from './store-context.js';

export function createSigningKeyStore({ db }: StoreContext): SigningKeyStore {
  return {
    async list() {
      const rows = await db
        .selectFrom('signing_keys')
        .select(['kid', 'alg', 'public_jwk', 'private_key_jwe', 'created_at', 'activates_at'])
        // kid breaks ties so that every node sees the same order, hence picks the same key.
        .orderBy('activates_at')
        .orderBy('kid')
        .execute();
      return rows.map(toRecord);
    },

    async insert(record) {
      await db.insertInto('signing_keys').values(toRow(record)).execute();
    },

    async remove(kid) {
      const result = await db.deleteFrom('signing_keys').where('kid', '=', kid).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function toRow(record: SigningKeyRecord): SigningKeysTable {
  return {
    kid: record.kid,
    alg: record.alg,
    public_jwk: JSON.stringify(record.publicJwk),
    private_key_jwe: record.privateKeyJwe,
    created_at: record.createdAt,
    activates_at: record.activatesAt,
  };
}

function toRecord(row: SigningKeysTable): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    privateKeyJwe: row.private_key_jwe,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
  };
}
