import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ClientRecord, SigningKeyRecord, Store, TokenRecord } from './index.js';
import { migrations } from './migrations/index.js';
import { storeBackends } from './testing/index.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, in seconds
const ALL_MIGRATIONS = Object.keys(migrations);

function client(clientId: string, overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId,
    secretDigest: `digest-of-${clientId}`,
    metadata: {
      client_name: 'Zürich Billing ✓',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['https://app.example/cb'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'abc', y: 'def', use: 'sig' }] },
      software_statement_claims: { nested: { deep: [1, 2.5, null, true, 'x'] } },
    },
    source: 'admin',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function token(digest: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    digest,
    kind: 'access_token',
    jti: `jti-${digest}`,
    clientId: 'billing',
    subject: 'user-1',
    scope: 'openid orders:read',
    audience: ['https://api.example', 'urn:controller:7'],
    issuedAt: T0,
    expiresAt: T0 + 300,
    revokedAt: null,
    confirmation: { jkt: 'thumbprint' },
    extra: { grantId: 'g-1', authTime: T0 - 5, amr: ['pwd', 'otp'], acr: null },
    familyId: null,
    sessionId: null,
    grantId: null,
    parentDigest: null,
    rotatedAt: null,
    offline: false,
    ...overrides,
  };
}

function signingKey(kid: string, activatesAt: number): SigningKeyRecord {
  return {
    kid,
    alg: 'ES256',
    publicJwk: { kty: 'EC', crv: 'P-256', x: `x-${kid}`, y: `y-${kid}`, kid, alg: 'ES256', use: 'sig' },
    privateKeyJwe: `eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..iv.${kid}.tag`,
    createdAt: T0,
    activatesAt,
  };
}

for (const backend of storeBackends()) {
  describe(backend.name, { skip: backend.skipReason }, () => {
    let store: Store;
    let nowMs = T0 * 1000;
    const clock = () => nowMs;

    beforeEach(async () => {
      nowMs = T0 * 1000;
      store = await backend.open({ clock });
    });
    afterEach(() => store.close());

    describe('store', () => {
      it('reports its kind', () => {
        assert.equal(store.kind, backend.name);
      });

      it('answers ping()', async () => {
        await store.ping();
      });

      it('treats a second migrate() as a no-op', async () => {
        assert.deepEqual(await store.migrate(), []);
        assert.deepEqual(await store.pendingMigrations(), []);
      });

      it('lists pending migrations until they are applied', async () => {
        const fresh = await backend.open({ migrate: false });
        try {
          assert.deepEqual(await fresh.pendingMigrations(), ALL_MIGRATIONS);
          assert.deepEqual(await fresh.migrate(), ALL_MIGRATIONS);
          assert.deepEqual(await fresh.pendingMigrations(), []);
          assert.deepEqual(await fresh.migrate(), []);
        } finally {
          await fresh.close();
        }
      });

      it('applies each migration once when migrate() runs concurrently', async () => {
        const fresh = await backend.open({ migrate: false });
        try {
          const applied = await Promise.all([fresh.migrate(), fresh.migrate(), fresh.migrate()]);
          assert.deepEqual(applied.flat(), ALL_MIGRATIONS);
        } finally {
          await fresh.close();
        }
      });

      it('lets close() be called twice', async () => {
        await store.close();
        await store.close();
      });
    });

    describe('clients', () => {
      it('returns undefined for an unknown client', async () => {
        assert.equal(await store.clients.find('nobody'), undefined);
      });

      it('round-trips a client, JSON metadata included', async () => {
        const record = client('billing');
        await store.clients.upsert(record);
        assert.deepEqual(await store.clients.find('billing'), record);
      });

      it('keeps a null secret digest', async () => {
        const record = client('spa', { secretDigest: null, source: 'config' });
        await store.clients.upsert(record);
        assert.deepEqual(await store.clients.find('spa'), record);
      });

      it('replaces the whole record on upsert', async () => {
        await store.clients.upsert(client('billing'));
        const replacement = client('billing', {
          secretDigest: null,
          metadata: {
            grant_types: ['client_credentials'],
            redirect_uris: [],
            token_endpoint_auth_method: 'none',
          },
          source: 'config',
          createdAt: T0 + 1,
          updatedAt: T0 + 60,
        });
        await store.clients.upsert(replacement);
        assert.deepEqual(await store.clients.find('billing'), replacement);
        assert.equal((await store.clients.list()).length, 1);
      });

      it('lists clients ordered by id', async () => {
        for (const id of ['charlie', 'alpha', 'bravo']) await store.clients.upsert(client(id));
        assert.deepEqual(
          (await store.clients.list()).map((c) => c.clientId),
          ['alpha', 'bravo', 'charlie'],
        );
      });

      it('removes a client, and returns false when there is none', async () => {
        await store.clients.upsert(client('billing'));
        assert.equal(await store.clients.remove('billing'), true);
        assert.equal(await store.clients.find('billing'), undefined);
        assert.equal(await store.clients.remove('billing'), false);
      });
    });

    describe('tokens', () => {
      it('round-trips a token, JSON fields included', async () => {
        const record = token('d1');
        await store.tokens.insert(record);
        assert.deepEqual(await store.tokens.findByDigest('d1'), record);
      });

      it('keeps a null confirmation and a refresh token kind', async () => {
        const record = token('d2', { kind: 'refresh_token', confirmation: null, audience: [], extra: {} });
        await store.tokens.insert(record);
        assert.deepEqual(await store.tokens.findByDigest('d2'), record);
      });

      it('reads the sign-in fields a writer left out as null and not offline', async () => {
        const { familyId, sessionId, grantId, parentDigest, rotatedAt, offline, ...older } = token('d3');
        await store.tokens.insert(older);
        assert.deepEqual(await store.tokens.findByDigest('d3'), token('d3'));
      });

      it('returns undefined for an unknown digest', async () => {
        assert.equal(await store.tokens.findByDigest('missing'), undefined);
      });

      it('answers many concurrent lookups, each with its own token', async () => {
        const digests = Array.from({ length: 300 }, (_, i) => `many-${i}`);
        await Promise.all(digests.map((d) => store.tokens.insert(token(d))));
        const asked = [...digests, 'missing', digests[7]!, 'also-missing', digests[0]!];
        const found = await Promise.all(asked.map((d) => store.tokens.findByDigest(d)));
        assert.deepEqual(
          found.map((record) => record?.digest),
          [...digests, undefined, digests[7], undefined, digests[0]],
        );
        assert.deepEqual(found[42], token('many-42'));
      });

      it('rejects a second token with the same digest', async () => {
        await store.tokens.insert(token('d1'));
        await assert.rejects(store.tokens.insert(token('d1', { jti: 'other' })));
        assert.equal((await store.tokens.findByDigest('d1'))?.jti, 'jti-d1');
      });

      it('revokes once: the second revoke returns false', async () => {
        await store.tokens.insert(token('d1'));
        assert.equal(await store.tokens.revoke('d1', T0 + 10), true);
        assert.equal(await store.tokens.revoke('d1', T0 + 20), false);
        assert.equal((await store.tokens.findByDigest('d1'))?.revokedAt, T0 + 10);
      });

      it('returns false when revoking an unknown digest', async () => {
        assert.equal(await store.tokens.revoke('missing', T0), false);
      });

      it('gives exactly one of several concurrent revokes true', async () => {
        await store.tokens.insert(token('d1'));
        const results = await Promise.all(Array.from({ length: 10 }, () => store.tokens.revoke('d1', T0)));
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('deletes only tokens that expired before the cut-off and counts them', async () => {
        await Promise.all([
          store.tokens.insert(token('old-1', { expiresAt: T0 - 100 })),
          store.tokens.insert(token('old-2', { expiresAt: T0 - 1 })),
          store.tokens.insert(token('edge', { expiresAt: T0 })),
          store.tokens.insert(token('live', { expiresAt: T0 + 100 })),
        ]);
        assert.equal(await store.tokens.deleteExpired(T0), 2);
        assert.equal(await store.tokens.findByDigest('old-1'), undefined);
        assert.ok(await store.tokens.findByDigest('edge'));
        assert.ok(await store.tokens.findByDigest('live'));
        assert.equal(await store.tokens.deleteExpired(T0), 0);
      });

      it('stores 100 concurrent inserts, each readable once its promise resolves', async () => {
        const records = Array.from({ length: 100 }, (_, i) => token(`batch-${i}`, { expiresAt: T0 + i }));
        await Promise.all(records.map((r) => store.tokens.insert(r)));
        for (const r of records) assert.deepEqual(await store.tokens.findByDigest(r.digest), r);
      });

      it('fails only the duplicate when it sits in the middle of a batch', async () => {
        await store.tokens.insert(token('taken'));
        const records = Array.from({ length: 100 }, (_, i) => token(i === 50 ? 'taken' : `mixed-${i}`));
        const results = await Promise.allSettled(records.map((r) => store.tokens.insert(r)));
        assert.deepEqual(
          results.flatMap((r, i) => (r.status === 'rejected' ? [i] : [])),
          [50],
        );
        for (const [i, r] of records.entries()) {
          if (i !== 50) assert.deepEqual(await store.tokens.findByDigest(r.digest), r);
        }
        assert.equal((await store.tokens.findByDigest('taken'))?.jti, 'jti-taken');
      });

      it('fails one of two inserts of the same new digest in one batch', async () => {
        const results = await Promise.allSettled([
          store.tokens.insert(token('a')),
          store.tokens.insert(token('twin', { jti: 'first' })),
          store.tokens.insert(token('twin', { jti: 'second' })),
          store.tokens.insert(token('b')),
        ]);
        assert.deepEqual(
          results.map((r) => r.status),
          ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
        );
        assert.equal((await store.tokens.findByDigest('twin'))?.jti, 'first');
      });

      it('commits queued inserts before close() returns', async () => {
        const pending = store.tokens.insert(token('late'));
        await store.close();
        await pending;
      });
    });

    describe('revokedJwts', () => {
      it('remembers a revoked jti', async () => {
        assert.equal(await store.revokedJwts.has('j1'), false);
        await store.revokedJwts.add('j1', T0 + 60);
        assert.equal(await store.revokedJwts.has('j1'), true);
      });

      it('accepts the same jti twice', async () => {
        await store.revokedJwts.add('j1', T0 + 60);
        await store.revokedJwts.add('j1', T0 + 60);
        assert.equal(await store.revokedJwts.has('j1'), true);
      });

      it('deletes entries that expired before the cut-off and counts them', async () => {
        await store.revokedJwts.add('old', T0 - 1);
        await store.revokedJwts.add('edge', T0);
        await store.revokedJwts.add('live', T0 + 60);
        assert.equal(await store.revokedJwts.deleteExpired(T0), 1);
        assert.equal(await store.revokedJwts.has('old'), false);
        assert.equal(await store.revokedJwts.has('edge'), true);
      });
    });

    describe('replay', () => {
      it('returns true the first time and false after', async () => {
        assert.equal(await store.replay.useOnce('dpop', 'jti-1', T0 + 60), true);
        assert.equal(await store.replay.useOnce('dpop', 'jti-1', T0 + 60), false);
        assert.equal(await store.replay.useOnce('dpop', 'jti-1', T0 + 120), false);
      });

      it('keeps namespaces apart', async () => {
        assert.equal(await store.replay.useOnce('dpop', 'same', T0 + 60), true);
        assert.equal(await store.replay.useOnce('client_assertion', 'same', T0 + 60), true);
      });

      it('lets a key be used again once its entry has expired', async () => {
        assert.equal(await store.replay.useOnce('dpop', 'k', T0 + 60), true);
        nowMs = (T0 + 59) * 1000;
        assert.equal(await store.replay.useOnce('dpop', 'k', T0 + 120), false);
        nowMs = (T0 + 60) * 1000;
        assert.equal(await store.replay.useOnce('dpop', 'k', T0 + 120), true);
        assert.equal(await store.replay.useOnce('dpop', 'k', T0 + 180), false);
      });

      it('gives exactly one of many concurrent callers true', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.replay.useOnce('dpop', 'contended', T0 + 60)),
        );
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('gives exactly one concurrent caller an expired key', async () => {
        await store.replay.useOnce('dpop', 'stale', T0 - 10);
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.replay.useOnce('dpop', 'stale', T0 + 60)),
        );
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('deletes entries that expired before the cut-off and counts them', async () => {
        await store.replay.useOnce('a', '1', T0 - 5);
        await store.replay.useOnce('b', '2', T0 - 1);
        await store.replay.useOnce('a', '3', T0 + 5);
        assert.equal(await store.replay.deleteExpired(T0), 2);
        assert.equal(await store.replay.useOnce('a', '3', T0 + 5), false);
      });
    });

    describe('signingKeys', () => {
      it('lists keys by activation time, JSON round trip included', async () => {
        const keys = [signingKey('k3', T0 + 300), signingKey('k1', T0 + 100), signingKey('k2', T0 + 200)];
        for (const k of keys) await store.signingKeys.insert(k);
        const listed = await store.signingKeys.list();
        assert.deepEqual(
          listed.map((k) => k.kid),
          ['k1', 'k2', 'k3'],
        );
        assert.deepEqual(listed[0], keys[1]);
      });

      it('orders keys with the same activation time by kid', async () => {
        for (const kid of ['b', 'c', 'a']) await store.signingKeys.insert(signingKey(kid, T0));
        assert.deepEqual(
          (await store.signingKeys.list()).map((k) => k.kid),
          ['a', 'b', 'c'],
        );
      });

      it('rejects a second key with the same kid', async () => {
        await store.signingKeys.insert(signingKey('k1', T0));
        await assert.rejects(store.signingKeys.insert(signingKey('k1', T0 + 1)));
      });

      it('removes a key, and returns false when there is none', async () => {
        await store.signingKeys.insert(signingKey('k1', T0));
        assert.equal(await store.signingKeys.remove('k1'), true);
        assert.equal(await store.signingKeys.remove('k1'), false);
        assert.deepEqual(await store.signingKeys.list(), []);
      });
    });
  });
}
