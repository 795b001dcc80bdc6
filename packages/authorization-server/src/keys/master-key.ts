import { hkdfSync } from 'node:crypto';

/**
 * Keys derived from the master key, one per purpose, so that no key is ever used for two
 * things (HKDF, RFC 5869). Changing the master key makes stored private keys unreadable and
 * every stored secret digest unmatchable: it is the one secret to keep.
 */
export interface DerivedKeys {
  /** Encrypts private signing keys at rest (JWE `dir` + A256GCM). */
  keyEncryption: Uint8Array;
  /** Keys the digest of client secrets. */
  secretDigest: Uint8Array;
  /** Keys the digest of opaque tokens. */
  tokenDigest: Uint8Array;
  /** Keys the digest of session cookie secrets, the id of a session's row. */
  sessionDigest: Uint8Array;
  /** Keys the HMAC of the pages' CSRF tokens (pages/csrf.ts). */
  csrf: Uint8Array;
  /** Encrypts the interaction cookie carried between /authorize, /login and /consent (JWE `dir`). */
  interaction: Uint8Array;
  /** Keys the HMAC of the stateless DPoP server nonces (RFC 9449 §8, dpop/nonce.ts). */
  dpopNonce: Uint8Array;
}

export const MASTER_KEY_BYTES = 32;

/** Decodes a base64url (or base64) master key; throws with a fix-it message when it is unusable. */
export function decodeMasterKey(encoded: string): Uint8Array {
  const bytes = Buffer.from(
    encoded.trim(),
    encoded.includes('+') || encoded.includes('/') ? 'base64' : 'base64url',
  );
  if (bytes.length !== MASTER_KEY_BYTES) {
    throw new Error(
      `the master key must be ${MASTER_KEY_BYTES} bytes, base64url-encoded (got ${bytes.length} bytes); ` +
        "generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\"",
    );
  }
  return new Uint8Array(bytes);
}

export function deriveKeys(masterKey: Uint8Array): DerivedKeys {
  const derive = (info: string) =>
    new Uint8Array(hkdfSync('sha256', masterKey, Buffer.from('gatehouse'), Buffer.from(info), 32));
  return {
    keyEncryption: derive('signing-key-encryption'),
    secretDigest: derive('client-secret-digest'),
    tokenDigest: derive('opaque-token-digest'),
    sessionDigest: derive('session-cookie-digest'),
    csrf: derive('pages-csrf'),
    interaction: derive('interaction-cookie-encryption'),
    dpopNonce: derive('dpop-nonce'),
  };
}
