import { createPublicKey, type KeyObject } from 'node:crypto';
import { invalidClient } from '@gatehouse/core';
import type { ClientRecord } from '@gatehouse/store';
import type { PresentedCertificate } from '../tls/client-certificate.js';
import { clientJwks } from './client-jwks.js';

/**
 * RFC 8705 §2.2, self-signed certificate mutual-TLS client authentication: "the client is
 * successfully authenticated if the certificate that it presented during the handshake matches
 * one of the certificates configured or registered for that particular client" in its jwks or
 * jwks_uri; the chain is not validated (§2.2). A JWK with `x5c` matches exactly its first
 * certificate; a JWK without one matches any certificate for the same public key, since the
 * handshake has proved possession of that key either way.
 */
export async function verifySelfSignedTlsClientAuth(
  client: ClientRecord,
  certificate: PresentedCertificate | undefined,
): Promise<void> {
  if (!certificate) throw invalidClient('self_signed_tls_client_auth without a client certificate');
  const presentedKey = certificate.x509.publicKey;
  const matches = async (refresh: boolean) => {
    let keys: Record<string, unknown>[];
    try {
      keys = await clientJwks(client, refresh);
    } catch (error) {
      throw invalidClient(`client keys unavailable (${(error as Error).message})`);
    }
    return keys.some((jwk) => matchesJwk(jwk, certificate.der, presentedKey));
  };
  // A client with a jwks_uri may have rotated its certificate since the last fetch (§2.2).
  if (await matches(false)) return;
  if (client.metadata.jwks_uri !== undefined && (await matches(true))) return;
  throw invalidClient('client certificate matches no key in the client’s jwks');
}

function matchesJwk(jwk: Record<string, unknown>, der: Buffer, presentedKey: KeyObject): boolean {
  const x5c = jwk['x5c'];
  if (Array.isArray(x5c) && x5c.length > 0) {
    // RFC 7517 §4.7: x5c entries are base64 (not base64url) DER, the key's certificate first.
    return typeof x5c[0] === 'string' && Buffer.from(x5c[0], 'base64').equals(der);
  }
  try {
    return createPublicKey({ key: jwk as never, format: 'jwk' }).equals(presentedKey);
  } catch {
    return false;
  }
}
