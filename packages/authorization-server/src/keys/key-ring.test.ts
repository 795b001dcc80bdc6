import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createManualClock, createSilentLogger, epochSeconds } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { validateConfig } from '../config/load.js';
import { createIssuer, type Issuer } from '../issuer.js';
import { signingKeyRetention } from '../resources/resource-registry.js';
import {
  SERVICE_SECRET,
  startTestIssuer,
  TEST_ISSUER,
  TEST_MASTER_KEY,
  type TestIssuer,
  testConfigDocument,
} from '../testing/harness.js';
import { rotateSigningKeys } from './key-ring.js';

const PUBLISH_BEFORE_USE = 3600; // the default keys.publish_before_use

for (const backend of storeBackends()) {
  describe(`signing key rotation (${backend.name})`, { skip: backend.skipReason }, () => {
    let t: TestIssuer;
    beforeEach(async () => {
      t = await startTestIssuer(await backend.open());
    });
    afterEach(() => t.close());

    // What createIssuer gives the key ring (and the CLI gives rotateSigningKeys).
    const retention = () => signingKeyRetention(t.issuer.context.config);

    /** Rotates as an operator would (the store is shared), then lets this node reload. */
    const rotate = async (reload = true) => {
      const ctx = t.issuer.context;
      const result = await rotateSigningKeys(ctx.store.signingKeys, {
        alg: ctx.config.tokens.signing_alg,
        encryptionKey: ctx.secrets.keyEncryption,
        now: epochSeconds(t.clock),
        publishBeforeUse: ctx.config.keys.publish_before_use,
        retentionSeconds: retention(),
      });
      if (reload) await ctx.keys.reload();
      return result;
    };
    const jwks = async () => (await t.issuer.app.inject({ method: 'GET', url: '/jwks' })).json();
    const publishedKids = async () => ((await jwks()).keys as { kid: string }[]).map((k) => k.kid).sort();
    const jwt = () => t.issueToken({ resource: 'https://api.test' });
    const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
    const isActive = async (token: string) =>
      (await t.post('/introspect', { token }, { basic: ['service', SERVICE_SECRET] })).json().active;

    it('publishes a rotated-in key at once but keeps signing with the current key', async () => {
      const oldKid = kidOf(await jwt());
      const { added, removed } = await rotate();
      assert.equal(added.activatesAt, epochSeconds(t.clock) + PUBLISH_BEFORE_USE);
      assert.deepEqual(removed, []);
      assert.deepEqual(await publishedKids(), [oldKid, added.kid].sort());
      assert.equal(kidOf(await jwt()), oldKid);
      t.clock.advance(PUBLISH_BEFORE_USE - 1);
      assert.equal(kidOf(await jwt()), oldKid);
    });

    it('signs with the new key once publish_before_use has passed', async () => {
      const { added } = await rotate();
      t.clock.advance(PUBLISH_BEFORE_USE);
      const token = await jwt();
      assert.equal(kidOf(token), added.kid);
      await jwtVerify(token, createLocalJWKSet(await jwks()), {
        issuer: TEST_ISSUER,
        currentDate: new Date(t.clock()),
      });
    });

    it('keeps the retired key in the JWKS for the retention period, then drops it', async () => {
      const oldKid = kidOf(await jwt());
      const { added } = await rotate();
      t.clock.advance(PUBLISH_BEFORE_USE + retention() - 1);
      assert.deepEqual(await publishedKids(), [oldKid, added.kid].sort());
      t.clock.advance(1);
      assert.deepEqual(await publishedKids(), [added.kid]);
    });

    it('still verifies tokens signed by the retired key while they live', async () => {
      const { added } = await rotate();
      t.clock.advance(PUBLISH_BEFORE_USE - 1);
      const old = await jwt(); // the last token of the old key; it lives 300 s
      t.clock.advance(1);
      assert.equal(kidOf(await jwt()), added.kid);
      assert.equal(await isActive(old), true);
      await jwtVerify(old, createLocalJWKSet(await jwks()), { currentDate: new Date(t.clock()) });
      t.clock.advance(298);
      assert.equal(await isActive(old), true);
      t.clock.advance(1);
      assert.equal(await isActive(old), false, 'expired, whatever the key');
    });

    it('deletes a retired key from the store at the first rotation after its retention', async () => {
      const oldKid = kidOf(await jwt());
      const first = await rotate();
      t.clock.advance(PUBLISH_BEFORE_USE + retention() - 1);
      assert.deepEqual((await rotate()).removed, [], 'still within retention');
      t.clock.advance(1);
      const third = await rotate();
      assert.deepEqual(third.removed, [oldKid]);
      const stored = (await t.issuer.context.store.signingKeys.list()).map((k) => k.kid).sort();
      assert.equal(stored.includes(oldKid), false);
      assert.equal(stored.includes(first.added.kid), true);
      assert.equal((await publishedKids()).includes(oldKid), false);
    });

    it('learns of a key rotated by another process only when it reloads', async () => {
      const oldKid = kidOf(await jwt());
      const { added } = await rotate(false);
      assert.deepEqual(await publishedKids(), [oldKid]);
      await t.issuer.context.keys.reload();
      assert.deepEqual(await publishedKids(), [oldKid, added.kid].sort());
    });

    it('has every node on the same store sign with the same key without talking', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
      const clock = createManualClock(t.clock());
      const other: Issuer = await createIssuer(
        validateConfig({ data_dir: dataDir, ...testConfigDocument() }),
        {
          store: t.issuer.context.store,
          clock,
          logger: createSilentLogger(),
          env: { GATEHOUSE_MASTER_KEY: TEST_MASTER_KEY },
        },
      );
      try {
        assert.equal(other.context.keys.signingKey().kid, t.issuer.context.keys.signingKey().kid);
        const { added } = await rotate();
        await other.context.keys.reload();
        t.clock.advance(PUBLISH_BEFORE_USE);
        clock.advance(PUBLISH_BEFORE_USE);
        assert.equal(t.issuer.context.keys.signingKey().kid, added.kid);
        assert.equal(other.context.keys.signingKey().kid, added.kid);
        assert.equal(other.context.keys.publicKeysJson(), t.issuer.context.keys.publicKeysJson());
      } finally {
        await other.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe(`master key (${backend.name})`, { skip: backend.skipReason }, () => {
    const config = () => validateConfig({ ...testConfigDocument(), data_dir: join(tmpdir(), 'unused') });
    const start = (store: Store, masterKey: string) =>
      createIssuer(config(), {
        store,
        logger: createSilentLogger(),
        env: { GATEHOUSE_MASTER_KEY: masterKey },
      });

    it('refuses to start on a store written with another master key, naming GATEHOUSE_MASTER_KEY', async () => {
      const store = await backend.open();
      try {
        await (await start(store, TEST_MASTER_KEY)).close();
        const other = Buffer.alloc(32, 9).toString('base64url');
        await assert.rejects(start(store, other), (error: Error) => {
          assert.match(error.message, /cannot be decrypted/);
          assert.match(error.message, /GATEHOUSE_MASTER_KEY/);
          return true;
        });
        // The right key still works: nothing was overwritten by the failed start.
        await (await start(store, TEST_MASTER_KEY)).close();
      } finally {
        await store.close();
      }
    });

    it('refuses a master key of the wrong length, naming GATEHOUSE_MASTER_KEY', async () => {
      const store = await backend.open();
      try {
        await assert.rejects(start(store, Buffer.alloc(16, 1).toString('base64url')), {
          message: /^GATEHOUSE_MASTER_KEY: the master key must be 32 bytes/,
        });
      } finally {
        await store.close();
      }
    });
  });
}
