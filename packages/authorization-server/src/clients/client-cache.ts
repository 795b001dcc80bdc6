import type { Clock } from '@gatehouse/core';
import type { ClientRecord, ClientStore } from '@gatehouse/store';

export type FindClient = (clientId: string) => Promise<ClientRecord | undefined>;

const MAX_ENTRIES = 10_000;

/**
 * Client lookup with a short-lived per-node cache. Every authenticated request reads its
 * client; under load that read costs as much as the rest of client authentication. The store
 * stays authoritative: an entry lives `ttlSeconds` at most, so a removed client or a changed
 * secret takes effect everywhere within that time. Unknown clients are not cached, so a flood
 * of made-up client_ids cannot fill memory.
 */
export function createClientLookup(store: ClientStore, clock: Clock, ttlSeconds: number): FindClient {
  const lookUp = createCachedLookup(store, clock, ttlSeconds);
  // No registered client_id holds NUL (RFC 6749 Appendix A: VSCHARs), and PostgreSQL cannot
  // even compare text with U+0000, so such an id, from a client assertion's sub say, is unknown.
  return async (clientId) => (clientId.includes('\0') ? undefined : lookUp(clientId));
}

function createCachedLookup(store: ClientStore, clock: Clock, ttlSeconds: number): FindClient {
  if (ttlSeconds === 0) return (clientId) => store.find(clientId);
  const ttlMs = ttlSeconds * 1000;
  const entries = new Map<string, { record: ClientRecord; expiresAt: number }>();
  return async (clientId) => {
    const now = clock();
    const hit = entries.get(clientId);
    if (hit && hit.expiresAt > now) return hit.record;
    const record = await store.find(clientId);
    entries.delete(clientId);
    if (record) {
      // Map iteration order is insertion order, so the first key is the oldest entry.
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(clientId, { record, expiresAt: now + ttlMs });
    }
    return record;
  };
}
