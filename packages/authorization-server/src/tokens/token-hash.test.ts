import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { JWK } from 'jose';
import { computeTokenHash } from './token-hash.js';

const p256 = { alg: 'ES256', publicJwk: { kty: 'EC', crv: 'P-256' } as JWK } as const;
const rsa = { alg: 'RS256', publicJwk: { kty: 'RSA' } as JWK } as const;
const ed25519 = { alg: 'EdDSA', publicJwk: { kty: 'OKP', crv: 'Ed25519' } as JWK } as const;

/** Left-most half of the digest, base64url: computed here independently of the module. */
const leftHalf = (value: string, hash: string) => {
  const digest = createHash(hash).update(Buffer.from(value, 'ascii')).digest();
  return Buffer.from(digest.subarray(0, digest.length / 2)).toString('base64url');
};

describe('at_hash (OIDC Core §3.1.3.6)', () => {
  it('matches the OIDC Core Appendix A example for an RS256 ID token', () => {
    // OIDC Core A.3 (response_type=id_token token): this access_token has this at_hash.
    assert.equal(
      computeTokenHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', rsa),
      '77QmUPtjPfzWtF2AnpK9RQ',
    );
  });

  it('uses SHA-256 for ES256: 16 bytes, 22 characters', () => {
    const token = 'gh_at_0123456789abcdefghijklmnopqrstuvwxyzABCDEF';
    const hash = computeTokenHash(token, p256);
    assert.equal(hash, leftHalf(token, 'sha256'));
    assert.equal(hash.length, 22);
  });

  it('uses SHA-512 for EdDSA with Ed25519 (connect issue #1125): 32 bytes', () => {
    const token =
      'YmJiZTAwYmYtMzgyOC00NzhkLTkyOTItNjJjNDM3MGYzOWIy9sFhvH8K_x8UIHj1osisS57f5DduL-ar_qw5jl3lthwpMjm283aVMQXDmoqqqydDSqJfbhptzw8rUVwkuQbolw';
    const hash = computeTokenHash(token, ed25519);
    assert.equal(hash, leftHalf(token, 'sha512'));
    // The published Ed25519 vector for this token (OpenID Connect Token Hash Algorithms guide).
    assert.equal(hash, 'EGEAhGYyfuwDaVTifvrWSoD5MSy_5hZPy6I7Vm-7pTQ');
  });

  it('refuses EdDSA keys of another curve instead of guessing a hash', () => {
    const ed448 = { alg: 'EdDSA', publicJwk: { kty: 'OKP', crv: 'Ed448' } as JWK } as const;
    assert.throws(() => computeTokenHash('x', ed448), {
      message: 'no token hash is defined for EdDSA with Ed448',
    });
  });
});
