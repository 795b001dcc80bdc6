import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createSilentLogger, epochSeconds } from '@gatehouse/core';
import type { GrantRecord, Store, TokenRecord } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { revokeUserGrant } from './revoke-grant.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

function grant(id: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id,
    userId: 'alice',
    clientId: 'notes',
    scopes: ['openid', 'notes:read'],
    resources: [],
    createdAt: T0,
    updatedAt: T0,
    revokedAt: null,
    ...overrides,
  };
}

function token(digest: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    digest,
    kind: 'access_token',
    jti: `jti-${digest}`,
    clientId: 'notes',
    subject: 'alice',
    scope: 'openid notes:read',
    audience: ['https://notes.example'],
    issuedAt: T0,
    expiresAt: T0 + 3600,
    revokedAt: null,
    confirmation: null,
    extra: {},
    grantId: 'g1',
    ...overrides,
  };
}

for (const backend of storeBackends()) {
  describe(`revokeUserGrant (${backend.name})`, { skip: backend.skipReason }, () => {
    let store: Store;
    const clock = () => (T0 + 100) * 1000;
    const deps = () => ({ store, clock, logger: createSilentLogger() });
    beforeEach(async () => {
      store = await backend.open();
      await store.grants.upsert(grant('g1'));
      await store.grants.upsert(grant('g2', { clientId: 'other-app' }));
    });
    afterEach(() => store.close());

    it('revokes the grant and every token under it, offline ones included, and its unused codes', async () => {
      await store.tokens.insert(token('at'));
      await store.tokens.insert(token('rt', { kind: 'refresh_token', offline: true, familyId: 'f1' }));
      await store.tokens.insert(token('other', { grantId: 'g2' }));
      await store.authorizationCodes.insert({
        digest: 'code',
        clientId: 'notes',
        userId: 'alice',
        sessionId: null,
        grantId: 'g1',
        redirectUri: 'https://notes.example/cb',
        scope: 'openid',
        resource: [],
        nonce: null,
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        codeChallengeMethod: 'S256',
        authTime: T0,
        amr: ['pwd'],
        acr: null,
        dpopJkt: null,
        issuedAt: T0 + 90,
        expiresAt: T0 + 150,
        consumedAt: null,
        extra: {},
      });

      const revoked = await revokeUserGrant(deps(), 'alice', 'g1');
      assert.equal(revoked?.id, 'g1');
      assert.equal(revoked?.revokedAt, epochSeconds(clock));
      assert.equal((await store.grants.findById('g1'))?.revokedAt, T0 + 100);
      assert.equal((await store.tokens.findByDigest('at'))?.revokedAt, T0 + 100);
      assert.equal((await store.tokens.findByDigest('rt'))?.revokedAt, T0 + 100);
      assert.equal((await store.tokens.findByDigest('other'))?.revokedAt, null);
      assert.equal((await store.authorizationCodes.consume('code', T0 + 101))?.alreadyConsumed, true);
      assert.equal((await store.grants.findById('g2'))?.revokedAt, null);
    });

    it("refuses another user's grant, an unknown one and one already revoked", async () => {
      assert.equal(await revokeUserGrant(deps(), 'mallory', 'g1'), undefined);
      assert.equal((await store.grants.findById('g1'))?.revokedAt, null);
      assert.equal(await revokeUserGrant(deps(), 'alice', 'missing'), undefined);
      assert.ok(await revokeUserGrant(deps(), 'alice', 'g1'));
      assert.equal(await revokeUserGrant(deps(), 'alice', 'g1'), undefined);
    });

    it('lets exactly one of concurrent revocations report the revocation', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => revokeUserGrant(deps(), 'alice', 'g1')),
      );
      assert.equal(results.filter((r) => r !== undefined).length, 1);
    });
  });
}
