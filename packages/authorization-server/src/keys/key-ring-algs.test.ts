import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { createManualClock, createSilentLogger, epochSeconds, type ManualClock } from '@gatehouse/core';
import type { SigningKeyRecord, SigningKeyStore } from '@gatehouse/store';
import {
  ensureSigningKey,
  ensureSigningKeys,
  KeyRing,
  rotateSigningKeys,
  rotateSigningKeysOfAlgs,
} from './key-ring.js';

const ENCRYPTION_KEY = new Uint8Array(32).fill(9);
const RETENTION = 600;

/** An in-memory store: the key ring depends on the port's shape only. */
function memorySigningKeyStore(): SigningKeyStore {
  const rows: SigningKeyRecord[] = [];
  return {
    async list() {
      return [...rows].sort((a, b) => a.activatesAt - b.activatesAt);
    },
    async insert(record) {
      rows.push(record);
    },
    async remove(kid) {
      const index = rows.findIndex((r) => r.kid === kid);
      if (index === -1) return false;
      rows.splice(index, 1);
      return true;
    },
  };
}

describe('key ring with one key per alg', () => {
  let store: SigningKeyStore;
  let clock: ManualClock;
  let ring: KeyRing;
  beforeEach(async () => {
    store = memorySigningKeyStore();
    clock = createManualClock(Date.UTC(2026, 0, 1));
    await ensureSigningKey(store, 'ES256', ENCRYPTION_KEY, epochSeconds(clock));
    ring = new KeyRing({
      store,
      encryptionKey: ENCRYPTION_KEY,
      clock,
      retentionSeconds: RETENTION,
      logger: createSilentLogger(),
      signingAlg: 'ES256',
    });
  });

  it('creates a key for each alg that has none, once', async () => {
    const now = epochSeconds(clock);
    const created = await ensureSigningKeys(store, ['ES256', 'EdDSA', 'RS256', 'EdDSA'], ENCRYPTION_KEY, now);
    assert.deepEqual(created.map((r) => r.alg).sort(), ['EdDSA', 'RS256']);
    assert.deepEqual(await ensureSigningKeys(store, ['EdDSA', 'RS256'], ENCRYPTION_KEY, now), []);
  });

  it('signs with tokens.signing_alg by default and with a named alg on request', async () => {
    await ensureSigningKeys(store, ['EdDSA'], ENCRYPTION_KEY, epochSeconds(clock));
    await ring.reload();
    assert.equal(ring.signingKey().alg, 'ES256');
    assert.equal(ring.signingKey('ES256').alg, 'ES256');
    assert.equal(ring.signingKey('EdDSA').alg, 'EdDSA');
    assert.equal(ring.hasSigningKey('RS256'), false);
    const published = ring
      .publicKeys()
      .keys.map((k) => k.alg)
      .sort();
    assert.deepEqual(published, ['ES256', 'EdDSA']);
  });

  it('names the missing alg when asked for a key it does not have', async () => {
    await ring.reload();
    assert.throws(() => ring.signingKey('RS256'), {
      message: 'the key ring has no active RS256 signing key: create one with ensureSigningKeys',
    });
  });

  it('rotates each alg on its own: a rotation never retires another alg’s key', async () => {
    const [eddsa] = await ensureSigningKeys(store, ['EdDSA'], ENCRYPTION_KEY, epochSeconds(clock));
    const options = { alg: 'ES256' as const, encryptionKey: ENCRYPTION_KEY, publishBeforeUse: 60 };
    const { added } = await rotateSigningKeys(store, {
      ...options,
      now: epochSeconds(clock),
      retentionSeconds: RETENTION,
    });
    clock.advance(60 + RETENTION + 1);
    const { removed } = await rotateSigningKeys(store, {
      ...options,
      now: epochSeconds(clock),
      retentionSeconds: RETENTION,
    });
    assert.equal(removed.length, 1);
    await ring.reload();
    assert.equal(ring.signingKey().kid, added.kid);
    assert.equal(ring.signingKey('EdDSA').kid, eddsa!.kid);
  });

  it('rotates every alg it is given once, each publishing before it signs', async () => {
    await ensureSigningKeys(store, ['RS256'], ENCRYPTION_KEY, epochSeconds(clock));
    const now = epochSeconds(clock);
    const results = await rotateSigningKeysOfAlgs(store, {
      algs: ['ES256', 'RS256', 'ES256'],
      encryptionKey: ENCRYPTION_KEY,
      now,
      publishBeforeUse: 60,
      retentionSeconds: RETENTION,
    });
    assert.deepEqual(
      results.map((r) => [r.added.alg, r.added.activatesAt]),
      [
        ['ES256', now + 60],
        ['RS256', now + 60],
      ],
    );
    await ring.reload();
    const before = [ring.signingKey('ES256').kid, ring.signingKey('RS256').kid];
    assert.ok(!before.includes(results[0]!.added.kid) && !before.includes(results[1]!.added.kid));
    clock.advance(60);
    assert.equal(ring.signingKey('ES256').kid, results[0]!.added.kid);
    assert.equal(ring.signingKey('RS256').kid, results[1]!.added.kid);
  });
});
