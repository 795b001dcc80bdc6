import { createHash } from 'node:crypto';
import type { LoadedSigningKey } from '../keys/signing-key.js';

/**
 * OIDC Core §3.1.3.6 `at_hash` (and §3.3.2.11 `c_hash`): "the base64url encoding of the
 * left-most half of the hash of the octets of the ASCII representation of the access_token
 * value, where the hash algorithm used is the hash algorithm used in the alg Header Parameter
 * of the ID Token's JOSE Header".
 *
 * - ES256 and RS256 (and PS256, which we do not sign with): SHA-256, so 16 bytes are kept.
 * - EdDSA names no hash by itself. The OpenID Connect WG settled it in connect issue #1125
 *   (call of 25 Nov 2019, recorded in the OpenID Connect Token Hash Algorithms 1.0 guide):
 *   Ed25519 uses SHA-512, so 32 bytes are kept. Ed448 would use SHAKE256; we never make
 *   Ed448 keys and refuse rather than guess.
 */
export function computeTokenHash(value: string, key: Pick<LoadedSigningKey, 'alg' | 'publicJwk'>): string {
  const digest = createHash(hashAlgorithm(key)).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

function hashAlgorithm(key: Pick<LoadedSigningKey, 'alg' | 'publicJwk'>): 'sha256' | 'sha512' {
  switch (key.alg) {
    case 'ES256':
    case 'RS256':
      return 'sha256';
    case 'EdDSA':
      if (key.publicJwk.crv !== 'Ed25519')
        throw new Error(`no token hash is defined for EdDSA with ${key.publicJwk.crv}`);
      return 'sha512';
  }
}
