import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constantTimeEqual, keyedDigest, sha256Base64Url } from './digest.js';
import { generateRandomToken } from './random.js';

describe('digests', () => {
  it('computes the RFC 7636 Appendix B S256 challenge', () => {
    assert.equal(
      sha256Base64Url('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('keys the secret digest so the same secret under another key differs', () => {
    const secret = generateRandomToken();
    const a = keyedDigest(Buffer.alloc(32, 1), secret);
    assert.equal(a, keyedDigest(Buffer.alloc(32, 1), secret));
    assert.notEqual(a, keyedDigest(Buffer.alloc(32, 2), secret));
    assert.ok(!a.includes(secret));
  });

  it('compares equal, unequal and different-length strings', () => {
    assert.equal(constantTimeEqual('abc', 'abc'), true);
    assert.equal(constantTimeEqual('abc', 'abd'), false);
    assert.equal(constantTimeEqual('abc', 'abcd'), false);
  });

  it('generates 256-bit tokens by default', () => {
    const token = generateRandomToken();
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.notEqual(token, generateRandomToken());
  });
});
