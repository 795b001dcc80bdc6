import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '@gatehouse/core';
import { deriveKeys } from '../keys/master-key.js';
import { issueDpopNonce, isValidDpopNonce } from './nonce.js';

function nonceContext(masterByte: number) {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  return {
    clock,
    secrets: deriveKeys(new Uint8Array(32).fill(masterByte)),
    config: { dpop: { nonce_lifetime: 300 } },
  };
}

describe('DPoP server nonces (RFC 9449 §8)', () => {
  it('are valid in their period and the next, then no more', () => {
    const ctx = nonceContext(1);
    const nonce = issueDpopNonce(ctx);
    assert.match(nonce, /^[A-Za-z0-9_-]{22}$/);
    assert.ok(isValidDpopNonce(ctx, nonce));
    ctx.clock.advance(300);
    assert.ok(isValidDpopNonce(ctx, nonce));
    assert.notEqual(issueDpopNonce(ctx), nonce, 'a new period, a new nonce');
    ctx.clock.advance(300);
    assert.equal(isValidDpopNonce(ctx, nonce), false);
  });

  it('are accepted by every node with the same master key, and by no other', () => {
    const a = nonceContext(1);
    const b = nonceContext(1);
    const other = nonceContext(2);
    const nonce = issueDpopNonce(a);
    assert.ok(isValidDpopNonce(b, nonce));
    assert.equal(isValidDpopNonce(other, nonce), false);
  });

  it('refuses anything else without throwing', () => {
    const ctx = nonceContext(1);
    for (const value of ['', 'x', `${issueDpopNonce(ctx)}x`, 'é'.repeat(22)]) {
      assert.equal(isValidDpopNonce(ctx, value), false);
    }
  });
});
