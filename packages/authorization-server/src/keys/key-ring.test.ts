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
import { rotateSigningKeysOfAlgs } from './key-ring.js';
import { signingAlgsInUse } from './signing-algs.js';

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

    /**
     * Rotates as an operator would (`gatehouse keys rotate`: every alg in use, the store is
     * shared), then lets this node reload. `added` by alg; `removed` of all algs.
     */
    const rotate = async (reload = true) => {
      const ctx = t.issuer.context;
      const results = await rotateSigningKeysOfAlgs(ctx.store.signingKeys, {
        algs: signingAlgsInUse(ctx.config),
        encryptionKey: ctx.secrets.keyEncryption,
        now: epochSeconds(t.clock),
        publishBeforeUse: ctx.config.keys.publish_before_use,
        retentionSeconds: retention(),
      });
      if (reload) await ctx.keys.reload();
      return {
        added: Object.fromEntries(results.map((r) => [r.added.alg, r.added])),
        removed: results.flatMap((r) => r.removed).sort(),
      };
    };
    const jwks = async () => (await t.issuer.app.inject({ method: 'GET', url: '/jwks' })).json();
    const publishedKids = async () => ((await jwks()).keys as { kid: string }[]).map((k) => k.kid).sort();
    const jwt = () => t.issueToken({ resource: 'https://api.test' });
    const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
    /** The kid ID tokens of a client with no id_token_signed_response_alg are signed with. */
    const idTokenKid = () => t.issuer.context.keys.signingKey('RS256').kid;
    const isActive = async (token: string) =>
      (await t.post('/introspect', { token }, { basic: ['service', SERVICE_SECRET] })).json().active;

    it('starts with one access-token key (tokens.signing_alg) and one RS256 key for ID tokens', async () => {
      const stored = await t.issuer.context.store.signingKeys.list();
      assert.deepEqual(stored.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      assert.equal(decodeProtectedHeader(await jwt()).alg, 'ES256');
      assert.deepEqual(await publishedKids(), stored.map((k) => k.kid).sort());
    });

    it('publishes a rotated-in key of every alg at once but keeps signing with the current keys', async () => {
      const oldKid = kidOf(await jwt());
      const oldIdKid = idTokenKid();
      const { added, removed } = await rotate();
      assert.deepEqual(Object.keys(added).sort(), ['ES256', 'RS256']);
      for (const key of Object.values(added)) {
        assert.equal(key.activatesAt, epochSeconds(t.clock) + PUBLISH_BEFORE_USE);
      }
      assert.deepEqual(removed, []);
      assert.deepEqual(
        await publishedKids(),
        [oldKid, oldIdKid, added['ES256']!.kid, added['RS256']!.kid].sort(),
      );
      assert.equal(kidOf(await jwt()), oldKid);
      assert.equal(idTokenKid(), oldIdKid);
      t.clock.advance(PUBLISH_BEFORE_USE - 1);
      assert.equal(kidOf(await jwt()), oldKid);
      assert.equal(idTokenKid(), oldIdKid);
    });

    it('signs with the new keys once publish_before_use has passed', async () => {
      const { added } = await rotate();
      t.clock.advance(PUBLISH_BEFORE_USE);
      const token = await jwt();
      assert.equal(kidOf(token), added['ES256']!.kid);
      assert.equal(idTokenKid(), added['RS256']!.kid);
      await jwtVerify(token, createLocalJWKSet(await jwks()), {
        issuer: TEST_ISSUER,
        currentDate: new Date(t.clock()),
      });
    });

    it('keeps the retired keys in the JWKS for the retention period, then drops them', async () => {
      const oldKid = kidOf(await jwt());
      const oldIdKid = idTokenKid();
      const { added } = await rotate();
      const newKids = [added['ES256']!.kid, added['RS256']!.kid];
      t.clock.advance(PUBLISH_BEFORE_USE + retention() - 1);
      assert.deepEqual(await publishedKids(), [oldKid, oldIdKid, ...newKids].sort());
      t.clock.advance(1);
      assert.deepEqual(await publishedKids(), newKids.sort());
    });

    it('still verifies tokens signed by the retired key while they live', async () => {
      const { added } = await rotate();
      t.clock.advance(PUBLISH_BEFORE_USE - 1);
      const old = await jwt(); // the last token of the old key; it lives 300 s
      t.clock.advance(1);
      assert.equal(kidOf(await jwt()), added['ES256']!.kid);
      assert.equal(await isActive(old), true);
      await jwtVerify(old, createLocalJWKSet(await jwks()), { currentDate: new Date(t.clock()) });
      t.clock.advance(298);
      assert.equal(await isActive(old), true);
      t.clock.advance(1);
      assert.equal(await isActive(old), false, 'expired, whatever the key');
    });

    it('deletes the retired keys from the store at the first rotation after their retention', async () => {
      const oldKid = kidOf(await jwt());
      const oldIdKid = idTokenKid();
      const first = await rotate();
      t.clock.advance(PUBLISH_BEFORE_USE + retention() - 1);
      assert.deepEqual((await rotate()).removed, [], 'still within retention');
      t.clock.advance(1);
      const third = await rotate();
      assert.deepEqual(third.removed, [oldKid, oldIdKid].sort());
      const stored = (await t.issuer.context.store.signingKeys.list()).map((k) => k.kid);
      assert.equal(stored.length, 6, 'the first and second rotations’ keys and the third’s, two algs each');
      assert.equal(stored.includes(oldKid), false);
      assert.equal(stored.includes(oldIdKid), false);
      assert.equal(stored.includes(first.added['ES256']!.kid), true);
      assert.equal(stored.includes(first.added['RS256']!.kid), true);
      const published = await publishedKids();
      assert.equal(published.includes(oldKid), false);
      assert.equal(published.includes(oldIdKid), false);
    });

    it('learns of keys rotated by another process only when it reloads', async () => {
      const before = await publishedKids();
      const { added } = await rotate(false);
      assert.deepEqual(await publishedKids(), before);
      await t.issuer.context.keys.reload();
      assert.deepEqual(await publishedKids(), [...before, added['ES256']!.kid, added['RS256']!.kid].sort());
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
        assert.equal(t.issuer.context.keys.signingKey().kid, added['ES256']!.kid);
        assert.equal(other.context.keys.signingKey().kid, added['ES256']!.kid);
        assert.equal(other.context.keys.signingKey('RS256').kid, added['RS256']!.kid);
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
