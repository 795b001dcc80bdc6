import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store, TokenRecord } from './index.js';
import { storeBackends } from './testing/index.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, in seconds

function refresh(digest: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    digest,
    kind: 'refresh_token',
    jti: `jti-${digest}`,
    clientId: 'web',
    subject: 'user-1',
    scope: 'openid offline_access',
    audience: [],
    issuedAt: T0,
    expiresAt: T0 + 86_400,
    revokedAt: null,
    confirmation: null,
    extra: {},
    familyId: 'fam-1',
    sessionId: 'session-1',
    grantId: 'grant-1',
    parentDigest: null,
    rotatedAt: null,
    offline: false,
    ...overrides,
  };
}

const access = (digest: string, overrides: Partial<TokenRecord> = {}) =>
  refresh(digest, { kind: 'access_token', expiresAt: T0 + 300, ...overrides });

const successor = (digest: string, parent: string) =>
  refresh(digest, { parentDigest: parent, issuedAt: T0 + 60 });

for (const backend of storeBackends()) {
  describe(backend.name, { skip: backend.skipReason }, () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(() => store.close());

    describe('tokens.rotate', () => {
      it('marks the old refresh token rotated and stores its successor', async () => {
        await store.tokens.insert(refresh('r1'));
        assert.deepEqual(await store.tokens.rotate('r1', successor('r2', 'r1'), T0 + 60), { ok: true });
        assert.deepEqual(await store.tokens.findByDigest('r1'), refresh('r1', { rotatedAt: T0 + 60 }));
        assert.deepEqual(await store.tokens.findByDigest('r2'), successor('r2', 'r1'));
      });

      it('reports reuse of a rotated token with the token, so the caller can revoke its family', async () => {
        await store.tokens.insert(refresh('r1'));
        await store.tokens.rotate('r1', successor('r2', 'r1'), T0 + 60);
        const result = await store.tokens.rotate('r1', successor('r3', 'r1'), T0 + 120);
        assert.deepEqual(result, {
          ok: false,
          reason: 'reused',
          token: refresh('r1', { rotatedAt: T0 + 60 }),
        });
        assert.equal(await store.tokens.findByDigest('r3'), undefined);
      });

      it('reports reuse even after the family was revoked', async () => {
        await store.tokens.insert(refresh('r1'));
        await store.tokens.rotate('r1', successor('r2', 'r1'), T0 + 60);
        await store.tokens.revokeFamily('fam-1', T0 + 70);
        const result = await store.tokens.rotate('r1', successor('r3', 'r1'), T0 + 80);
        assert.equal(result.ok === false && result.reason, 'reused');
      });

      it('refuses a revoked token, an expired one and an unknown or access-token digest', async () => {
        await store.tokens.insert(refresh('revoked', { revokedAt: T0 }));
        await store.tokens.insert(refresh('expired', { expiresAt: T0 + 10 }));
        await store.tokens.insert(access('at'));
        const revoked = await store.tokens.rotate('revoked', successor('n1', 'revoked'), T0 + 5);
        assert.deepEqual(revoked, {
          ok: false,
          reason: 'revoked',
          token: refresh('revoked', { revokedAt: T0 }),
        });
        const expired = await store.tokens.rotate('expired', successor('n2', 'expired'), T0 + 10);
        assert.deepEqual(expired, {
          ok: false,
          reason: 'expired',
          token: refresh('expired', { expiresAt: T0 + 10 }),
        });
        assert.deepEqual(await store.tokens.rotate('missing', successor('n3', 'missing'), T0), {
          ok: false,
          reason: 'not_found',
        });
        assert.deepEqual(await store.tokens.rotate('at', successor('n4', 'at'), T0), {
          ok: false,
          reason: 'not_found',
        });
        for (const digest of ['n1', 'n2', 'n3', 'n4'])
          assert.equal(await store.tokens.findByDigest(digest), undefined);
      });

      it('leaves the old token unrotated when the successor cannot be stored', async () => {
        await store.tokens.insert(refresh('r1'));
        await store.tokens.insert(refresh('taken', { familyId: 'fam-2' }));
        await assert.rejects(store.tokens.rotate('r1', successor('taken', 'r1'), T0 + 60));
        assert.equal((await store.tokens.findByDigest('r1'))?.rotatedAt, null);
        assert.deepEqual(await store.tokens.rotate('r1', successor('r2', 'r1'), T0 + 61), { ok: true });
      });

      it('gives exactly one of several concurrent rotations of one token ok; the rest see reuse', async () => {
        await store.tokens.insert(refresh('r1'));
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.tokens.rotate('r1', successor(`next-${i}`, 'r1'), T0 + 60),
          ),
        );
        assert.equal(results.filter((r) => r.ok).length, 1);
        for (const r of results) if (!r.ok) assert.equal(r.reason, 'reused');
        const stored = await Promise.all(results.map((_, i) => store.tokens.findByDigest(`next-${i}`)));
        assert.equal(stored.filter(Boolean).length, 1);
      });

      it('keeps concurrent group-committed inserts working beside a rotation', async () => {
        await store.tokens.insert(refresh('r1'));
        const inserts = Array.from({ length: 50 }, (_, i) => access(`at-${i}`));
        const [rotation] = await Promise.all([
          store.tokens.rotate('r1', successor('r2', 'r1'), T0 + 60),
          ...inserts.map((r) => store.tokens.insert(r)),
        ]);
        assert.deepEqual(rotation, { ok: true });
        for (const r of inserts) assert.deepEqual(await store.tokens.findByDigest(r.digest), r);
      });
    });

    describe('tokens.revokeFamily / revokeBySession / revokeByGrant', () => {
      it('revokes every live token of a family, access tokens included, and counts them', async () => {
        await store.tokens.insert(refresh('r1'));
        await store.tokens.rotate('r1', successor('r2', 'r1'), T0 + 60);
        await store.tokens.insert(access('at-1'));
        await store.tokens.insert(access('already', { revokedAt: T0 }));
        await store.tokens.insert(refresh('other', { familyId: 'fam-2' }));
        assert.equal(await store.tokens.revokeFamily('fam-1', T0 + 100), 3);
        for (const d of ['r1', 'r2', 'at-1'])
          assert.equal((await store.tokens.findByDigest(d))?.revokedAt, T0 + 100);
        assert.equal((await store.tokens.findByDigest('already'))?.revokedAt, T0);
        assert.equal((await store.tokens.findByDigest('other'))?.revokedAt, null);
        assert.equal(await store.tokens.revokeFamily('fam-1', T0 + 200), 0);
        assert.equal(await store.tokens.revokeFamily('unknown', T0), 0);
      });

      it('refuses to rotate a token of a revoked family', async () => {
        await store.tokens.insert(refresh('r1'));
        await store.tokens.revokeFamily('fam-1', T0 + 1);
        const result = await store.tokens.rotate('r1', successor('r2', 'r1'), T0 + 2);
        assert.equal(result.ok === false && result.reason, 'revoked');
      });

      it('revokes a session’s tokens, keeping offline ones when asked', async () => {
        await store.tokens.insert(refresh('online', { familyId: 'f-a' }));
        await store.tokens.insert(refresh('offline', { familyId: 'f-b', offline: true }));
        await store.tokens.insert(access('at', { familyId: 'f-a' }));
        await store.tokens.insert(refresh('elsewhere', { familyId: 'f-c', sessionId: 'session-2' }));
        assert.equal(await store.tokens.revokeBySession('session-1', T0 + 10, { exceptOffline: true }), 2);
        assert.equal((await store.tokens.findByDigest('offline'))?.revokedAt, null);
        assert.equal((await store.tokens.findByDigest('online'))?.revokedAt, T0 + 10);
        assert.equal((await store.tokens.findByDigest('elsewhere'))?.revokedAt, null);
        assert.equal(
          await store.tokens.revokeBySession('session-1', T0 + 20),
          1,
          'without the option, offline too',
        );
        assert.equal((await store.tokens.findByDigest('offline'))?.revokedAt, T0 + 20);
      });

      it('keeps an offline token rotatable after its session’s tokens were revoked', async () => {
        await store.tokens.insert(refresh('offline', { offline: true }));
        await store.tokens.revokeBySession('session-1', T0 + 10, { exceptOffline: true });
        const next = refresh('offline-2', { offline: true, parentDigest: 'offline' });
        assert.deepEqual(await store.tokens.rotate('offline', next, T0 + 20), { ok: true });
      });

      it('revokes every live token of a grant, offline ones included', async () => {
        await store.tokens.insert(refresh('r1', { offline: true }));
        await store.tokens.insert(access('at', { familyId: null, sessionId: null }));
        await store.tokens.insert(refresh('other', { familyId: 'f-2', grantId: 'grant-2' }));
        assert.equal(await store.tokens.revokeByGrant('grant-1', T0 + 5), 2);
        assert.equal((await store.tokens.findByDigest('other'))?.revokedAt, null);
        assert.equal(await store.tokens.revokeByGrant('grant-1', T0 + 6), 0);
      });

      it('stores a JWT access token’s row with its format, and reads it back', async () => {
        await store.tokens.insert(access('jwt-1', { format: 'jwt' }));
        assert.deepEqual(await store.tokens.findByDigest('jwt-1'), access('jwt-1', { format: 'jwt' }));
      });

      it('puts the jti of every JWT access token it revokes on the deny-list, until it expires', async () => {
        await store.tokens.insert(access('jwt-fam', { format: 'jwt', jti: 'j-fam' }));
        await store.tokens.insert(access('opaque-fam', { jti: 'j-opaque' }));
        await store.tokens.insert(access('jwt-other', { format: 'jwt', jti: 'j-other', familyId: 'fam-2' }));
        assert.equal(await store.tokens.revokeFamily('fam-1', T0 + 10), 2);
        assert.equal(await store.revokedJwts.has('j-fam'), true);
        assert.equal(
          await store.revokedJwts.has('j-opaque'),
          false,
          'opaque tokens are revoked by their row',
        );
        assert.equal(await store.revokedJwts.has('j-other'), false);
        // Kept as long as the token would have lived (expiresAt T0 + 300), then purged.
        assert.equal(await store.revokedJwts.deleteExpired(T0 + 300), 0);
        assert.equal(await store.revokedJwts.deleteExpired(T0 + 301), 1);
      });

      it('deny-lists JWTs by session (sparing offline ones when asked) and by grant', async () => {
        await store.tokens.insert(access('jwt-online', { format: 'jwt', jti: 'j-online', familyId: 'f-a' }));
        await store.tokens.insert(
          access('jwt-offline', { format: 'jwt', jti: 'j-offline', familyId: 'f-b', offline: true }),
        );
        assert.equal(await store.tokens.revokeBySession('session-1', T0 + 10, { exceptOffline: true }), 1);
        assert.equal(await store.revokedJwts.has('j-online'), true);
        assert.equal(await store.revokedJwts.has('j-offline'), false);
        assert.equal(await store.tokens.revokeByGrant('grant-1', T0 + 20), 1);
        assert.equal(await store.revokedJwts.has('j-offline'), true);
      });

      it('lets a JWT already deny-listed be revoked again with its family', async () => {
        await store.tokens.insert(access('jwt-1', { format: 'jwt', jti: 'j-1' }));
        await store.revokedJwts.add('j-1', T0 + 300); // revoked at /revoke first
        assert.equal(await store.tokens.revokeFamily('fam-1', T0 + 10), 1);
        assert.equal(await store.revokedJwts.has('j-1'), true);
      });
    });
  });
}
