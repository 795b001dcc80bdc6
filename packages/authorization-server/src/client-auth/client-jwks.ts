import type { ClientRecord } from '@gatehouse/store';
import { createRemoteJWKSet } from 'jose';

const remoteSets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * The client's registered JWKs: its `jwks`, or the document at its `jwks_uri` (cached; fetched
 * again when stale, or when `refresh` asks and the last fetch is not too recent).
 */
export async function clientJwks(client: ClientRecord, refresh = false): Promise<Record<string, unknown>[]> {
  const { jwks, jwks_uri } = client.metadata;
  if (jwks) return jwks.keys;
  if (typeof jwks_uri !== 'string') return [];
  let remote = remoteSets.get(jwks_uri);
  if (!remote) {
    remote = createRemoteJWKSet(new URL(jwks_uri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    remoteSets.set(jwks_uri, remote);
  }
  if (!remote.fresh || (refresh && !remote.coolingDown)) await remote.reload();
  return (remote.jwks()?.keys ?? []) as unknown as Record<string, unknown>[];
}
