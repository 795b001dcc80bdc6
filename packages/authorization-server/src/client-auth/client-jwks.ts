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
  const remote = remoteJwkSet(jwks_uri);
  if (!remote.fresh || (refresh && !remote.coolingDown)) await remote.reload();
  return (remote.jwks()?.keys ?? []) as unknown as Record<string, unknown>[];
}

/**
 * The key set at a client's jwks_uri, one per URI for the process, so that every method that
 * reads a client's keys shares one cache and one fetch (and one cooldown: a client cannot make
 * us fetch its keys more than once every 30 seconds by failing authentication).
 */
export function remoteJwkSet(jwksUri: string): ReturnType<typeof createRemoteJWKSet> {
  let remote = remoteSets.get(jwksUri);
  if (!remote) {
    remote = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    remoteSets.set(jwksUri, remote);
  }
  return remote;
}
