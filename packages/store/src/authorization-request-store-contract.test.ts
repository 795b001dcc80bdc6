import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AuthorizationCodeRecord, PushedAuthorizationRequestRecord, Store } from './index.js';
import { storeBackends } from './testing/index.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, in seconds

function code(digest: string, overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
  return {
    digest,
    clientId: 'web',
    userId: 'user-1',
    sessionId: 'session-1',
    grantId: 'grant-1',
    redirectUri: 'https://app.example/cb?x=ü',
    scope: 'openid profile',
    resource: ['https://api.example'],
    nonce: 'n-0S6_WzA2Mj',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    authTime: T0 - 30,
    amr: ['pwd'],
    acr: null,
    dpopJkt: null,
    issuedAt: T0,
    expiresAt: T0 + 60,
    consumedAt: null,
    extra: { claims: { id_token: { auth_time: { essential: true } } } },
    ...overrides,
  };
}

function pushed(digest: string, overrides: Partial<PushedAuthorizationRequestRecord> = {}) {
  return {
    digest,
    clientId: 'web',
    params: { response_type: 'code', scope: 'openid', resource: ['https://a.example', 'https://b.example'] },
    expiresAt: T0 + 60,
    consumedAt: null,
    ...overrides,
  } satisfies PushedAuthorizationRequestRecord;
}

for (const backend of storeBackends()) {
  describe(backend.name, { skip: backend.skipReason }, () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(() => store.close());

    describe('authorizationCodes', () => {
      it('returns the code to its first use, marked consumed', async () => {
        await store.authorizationCodes.insert(code('c1'));
        assert.deepEqual(await store.authorizationCodes.consume('c1', T0 + 5), {
          code: code('c1', { consumedAt: T0 + 5 }),
          alreadyConsumed: false,
        });
      });

      it('keeps nulls and a DPoP binding', async () => {
        const record = code('c1', {
          sessionId: null,
          grantId: null,
          nonce: null,
          acr: 'x',
          dpopJkt: 'jkt',
          resource: [],
        });
        await store.authorizationCodes.insert(record);
        assert.deepEqual((await store.authorizationCodes.consume('c1', T0))?.code, {
          ...record,
          consumedAt: T0,
        });
      });

      it('flags every later use, keeping the first use’s time', async () => {
        await store.authorizationCodes.insert(code('c1'));
        await store.authorizationCodes.consume('c1', T0 + 5);
        assert.deepEqual(await store.authorizationCodes.consume('c1', T0 + 9), {
          code: code('c1', { consumedAt: T0 + 5 }),
          alreadyConsumed: true,
        });
      });

      it('returns undefined for an unknown code', async () => {
        assert.equal(await store.authorizationCodes.consume('missing', T0), undefined);
      });

      it('leaves expiry to the caller', async () => {
        await store.authorizationCodes.insert(code('c1', { expiresAt: T0 }));
        const use = await store.authorizationCodes.consume('c1', T0 + 100);
        assert.equal(use?.alreadyConsumed, false);
        assert.equal(use?.code.expiresAt, T0);
      });

      it('rejects a second code with the same digest', async () => {
        await store.authorizationCodes.insert(code('c1'));
        await assert.rejects(store.authorizationCodes.insert(code('c1', { clientId: 'other' })));
      });

      it('gives exactly one of two (or more) concurrent uses the first use', async () => {
        await store.authorizationCodes.insert(code('c1'));
        const uses = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.authorizationCodes.consume('c1', T0 + i)),
        );
        assert.equal(uses.filter((u) => u?.alreadyConsumed === false).length, 1);
        assert.equal(uses.filter((u) => u?.alreadyConsumed === true).length, 9);
        const firstAt = uses.find((u) => u?.alreadyConsumed === false)?.code.consumedAt;
        assert.ok(uses.every((u) => u?.code.consumedAt === firstAt));
      });

      it('marks the unused codes of a grant used, and only those', async () => {
        await store.authorizationCodes.insert(code('c1'));
        await store.authorizationCodes.insert(code('c2'));
        await store.authorizationCodes.insert(code('other', { grantId: 'grant-2' }));
        await store.authorizationCodes.insert(code('none', { grantId: null }));
        await store.authorizationCodes.consume('c2', T0 + 1);
        assert.equal(await store.authorizationCodes.consumeByGrant('grant-1', T0 + 5), 1);
        assert.deepEqual(await store.authorizationCodes.consume('c1', T0 + 9), {
          code: code('c1', { consumedAt: T0 + 5 }),
          alreadyConsumed: true,
        });
        assert.equal((await store.authorizationCodes.consume('c2', T0 + 9))?.code.consumedAt, T0 + 1);
        assert.equal((await store.authorizationCodes.consume('other', T0 + 9))?.alreadyConsumed, false);
        assert.equal((await store.authorizationCodes.consume('none', T0 + 9))?.alreadyConsumed, false);
        assert.equal(await store.authorizationCodes.consumeByGrant('grant-1', T0 + 10), 0);
      });

      it('deletes codes that expired before the cut-off and counts them', async () => {
        await store.authorizationCodes.insert(code('old', { expiresAt: T0 - 1 }));
        await store.authorizationCodes.insert(code('edge', { expiresAt: T0 }));
        assert.equal(await store.authorizationCodes.deleteExpired(T0), 1);
        assert.equal(await store.authorizationCodes.consume('old', T0), undefined);
        assert.ok(await store.authorizationCodes.consume('edge', T0));
      });
    });

    describe('pushedRequests', () => {
      it('returns a pushed request once to its client, parameters and arrays intact', async () => {
        await store.pushedRequests.insert(pushed('p1'));
        assert.deepEqual(
          await store.pushedRequests.consume('p1', 'web', T0 + 1),
          pushed('p1', { consumedAt: T0 + 1 }),
        );
        assert.equal(await store.pushedRequests.consume('p1', 'web', T0 + 2), undefined);
      });

      it('refuses another client without using the request up', async () => {
        await store.pushedRequests.insert(pushed('p1'));
        assert.equal(await store.pushedRequests.consume('p1', 'intruder', T0), undefined);
        assert.ok(await store.pushedRequests.consume('p1', 'web', T0));
      });

      it('refuses an expired request and an unknown one', async () => {
        await store.pushedRequests.insert(pushed('p1', { expiresAt: T0 + 60 }));
        assert.equal(await store.pushedRequests.consume('p1', 'web', T0 + 60), undefined);
        assert.equal(await store.pushedRequests.consume('missing', 'web', T0), undefined);
      });

      it('gives a pushed request to exactly one of several concurrent callers', async () => {
        await store.pushedRequests.insert(pushed('p1'));
        const results = await Promise.all(
          Array.from({ length: 10 }, () => store.pushedRequests.consume('p1', 'web', T0)),
        );
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('deletes requests that expired before the cut-off and counts them', async () => {
        await store.pushedRequests.insert(pushed('old', { expiresAt: T0 - 1 }));
        await store.pushedRequests.insert(pushed('live', { expiresAt: T0 + 60 }));
        assert.equal(await store.pushedRequests.deleteExpired(T0), 1);
        assert.ok(await store.pushedRequests.consume('live', 'web', T0));
      });
    });
  });
}
