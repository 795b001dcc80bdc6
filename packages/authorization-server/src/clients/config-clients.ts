import type { ClientMetadata, ClientRecord, Store } from '@gatehouse/store';
import type { ClientConfig } from '../config/schema.js';
import { digestClientSecret } from './client-secret.js';

/** Turns a `clients[]` entry into the stored record (the secret becomes a digest). */
export function clientRecordFromConfig(
  client: ClientConfig,
  secretKey: Uint8Array,
  now: number,
): ClientRecord {
  const { client_id, client_secret, ...rest } = client;
  const metadata: ClientMetadata = { ...rest };
  return {
    clientId: client_id,
    secretDigest: client_secret === undefined ? null : digestClientSecret(secretKey, client_secret),
    metadata,
    source: 'config',
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Makes the stored config clients match gatehouse.yaml: added and changed ones are written,
 * config clients no longer in the file are removed. Clients added at run time (`source:
 * 'admin'`) are left alone, unless the file now defines the same client_id, in which case the
 * file wins, as it is the declared source of truth.
 */
export async function syncConfigClients(
  store: Store,
  clients: ClientConfig[],
  secretKey: Uint8Array,
  now: number,
): Promise<{ upserted: number; removed: number }> {
  const existing = await store.clients.list();
  const wanted = new Set(clients.map((c) => c.client_id));
  let removed = 0;
  for (const record of existing) {
    if (record.source === 'config' && !wanted.has(record.clientId)) {
      if (await store.clients.remove(record.clientId)) removed++;
    }
  }
  for (const client of clients) {
    const previous = existing.find((r) => r.clientId === client.client_id);
    const record = clientRecordFromConfig(client, secretKey, now);
    if (previous) record.createdAt = previous.createdAt;
    await store.clients.upsert(record);
  }
  return { upserted: clients.length, removed };
}
