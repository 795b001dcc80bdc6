import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DeviceAuthorizationRecord, DeviceDecision, Store } from './index.js';
import { storeBackends } from './testing/index.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, in seconds

function pending(
  deviceCodeDigest: string,
  overrides: Partial<DeviceAuthorizationRecord> = {},
): DeviceAuthorizationRecord {
  return {
    deviceCodeDigest,
    userCodeDigest: `user-${deviceCodeDigest}`,
    clientId: 'cli',
    scopes: ['openid', 'offline_access', 'orders:read'],
    resources: ['https://api.example'],
    status: 'pending',
    interval: 5,
    lastPolledAt: null,
    createdAt: T0,
    expiresAt: T0 + 600,
    userAgent: 'gatehouse-cli/1.0 (Linux) ü',
    address: '2001:db8::1',
    userId: null,
    sessionId: null,
    grantId: null,
    approvedScopes: null,
    authTime: null,
    amr: null,
    acr: null,
    decidedAt: null,
    consumedAt: null,
    ...overrides,
  };
}

const APPROVAL: DeviceDecision = {
  status: 'approved',
  userId: 'user-1',
  sessionId: 'session-1',
  grantId: 'grant-1',
  approvedScopes: ['openid', 'orders:read'],
  authTime: T0 - 30,
  amr: ['pwd'],
  acr: null,
};

for (const backend of storeBackends()) {
  describe(`deviceAuthorizations (${backend.name})`, { skip: backend.skipReason }, () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(() => store.close());

    it('finds a stored request by either digest, exactly as stored', async () => {
      assert.equal(await store.deviceAuthorizations.insert(pending('d1')), true);
      assert.deepEqual(await store.deviceAuthorizations.findByDeviceCode('d1'), pending('d1'));
      assert.deepEqual(await store.deviceAuthorizations.findByUserCode('user-d1'), pending('d1'));
      assert.equal(await store.deviceAuthorizations.findByDeviceCode('user-d1'), undefined);
      assert.equal(await store.deviceAuthorizations.findByUserCode('USER-D1'), undefined);
    });

    it('refuses a second request with a user code already stored, storing nothing', async () => {
      assert.equal(await store.deviceAuthorizations.insert(pending('d1')), true);
      assert.equal(
        await store.deviceAuthorizations.insert(pending('d2', { userCodeDigest: 'user-d1' })),
        false,
      );
      assert.equal(await store.deviceAuthorizations.findByDeviceCode('d2'), undefined);
    });

    it('records an approval once, with the consent result', async () => {
      await store.deviceAuthorizations.insert(pending('d1'));
      assert.equal(await store.deviceAuthorizations.decide('d1', APPROVAL, T0 + 10), true);
      assert.equal(
        await store.deviceAuthorizations.decide(
          'd1',
          { status: 'denied', userId: 'u2', sessionId: 's2' },
          T0 + 11,
        ),
        false,
      );
      assert.deepEqual(await store.deviceAuthorizations.findByDeviceCode('d1'), {
        ...pending('d1'),
        status: 'approved',
        userId: 'user-1',
        sessionId: 'session-1',
        grantId: 'grant-1',
        approvedScopes: ['openid', 'orders:read'],
        authTime: T0 - 30,
        amr: ['pwd'],
        decidedAt: T0 + 10,
      });
    });

    it('adds the client to the approving session’s clients, once', async () => {
      await store.deviceAuthorizations.insert(pending('d1'));
      await store.deviceAuthorizations.insert(pending('d2'));
      await store.deviceAuthorizations.decide('d1', APPROVAL, T0 + 10);
      await store.deviceAuthorizations.decide('d2', APPROVAL, T0 + 11);
      assert.deepEqual(await store.sessions.listClients('session-1'), ['cli']);
      // Still listed once the device authorizations are purged.
      await store.deviceAuthorizations.deleteExpired(T0 + 10_000);
      assert.deepEqual(await store.sessions.listClients('session-1'), ['cli']);
    });

    it('records a denial, after which nothing can approve it', async () => {
      await store.deviceAuthorizations.insert(pending('d1'));
      const denial: DeviceDecision = { status: 'denied', userId: 'user-1', sessionId: 'session-1' };
      assert.equal(await store.deviceAuthorizations.decide('d1', denial, T0 + 10), true);
      assert.equal(await store.deviceAuthorizations.decide('d1', APPROVAL, T0 + 11), false);
      const found = await store.deviceAuthorizations.findByDeviceCode('d1');
      assert.equal(found?.status, 'denied');
      assert.equal(found?.approvedScopes, null);
      assert.equal(await store.deviceAuthorizations.consume('d1', T0 + 12), undefined);
    });

    it('lets exactly one of concurrent decisions win', async () => {
      await store.deviceAuthorizations.insert(pending('d1'));
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.deviceAuthorizations.decide(
            'd1',
            i % 2 ? APPROVAL : { status: 'denied', userId: 'u', sessionId: 's' },
            T0 + 1,
          ),
        ),
      );
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('does not decide an expired or unknown request', async () => {
      await store.deviceAuthorizations.insert(pending('d1'));
      assert.equal(await store.deviceAuthorizations.decide('d1', APPROVAL, T0 + 600), false);
      assert.equal(await store.deviceAuthorizations.decide('nope', APPROVAL, T0), false);
      assert.equal((await store.deviceAuthorizations.findByDeviceCode('d1'))?.status, 'pending');
    });

    it('redeems an approved request once; later redemptions get nothing', async () => {
      await store.deviceAuthorizations.insert(pending('d1'));
      assert.equal(
        await store.deviceAuthorizations.consume('d1', T0 + 1),
        undefined,
        'pending is not redeemable',
      );
      await store.deviceAuthorizations.decide('d1', APPROVAL, T0 + 10);
      const redeemed = await store.deviceAuthorizations.consume('d1', T0 + 15);
      assert.equal(redeemed?.status, 'consumed');
      assert.equal(redeemed?.consumedAt, T0 + 15);
      assert.deepEqual(redeemed?.approvedScopes, ['openid', 'orders:read']);
      assert.equal(await store.deviceAuthorizations.consume('d1', T0 + 16), undefined);
    });

    it('gives a concurrent redemption to exactly one caller', async () => {
      await store.deviceAuthorizations.insert(pending('d1'));
      await store.deviceAuthorizations.decide('d1', APPROVAL, T0 + 10);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.deviceAuthorizations.consume('d1', T0 + 11)),
      );
      assert.equal(results.filter((r) => r !== undefined).length, 1);
    });

    it('accepts polls the interval apart and slows down one that comes early, keeping the new interval', async () => {
      await store.deviceAuthorizations.insert(pending('d1'));
      const first = await store.deviceAuthorizations.recordPoll('d1', T0 + 5);
      assert.equal(first.outcome, 'pending');
      assert.equal(await outcome(store, 'd1', T0 + 10), 'pending');
      const early = await store.deviceAuthorizations.recordPoll('d1', T0 + 12);
      assert.equal(early.outcome, 'slow_down');
      assert.equal(early.outcome === 'slow_down' && early.record.interval, 10);
      // 10 s after the early poll is on time under the raised interval; 9 s is not.
      assert.equal(await outcome(store, 'd1', T0 + 21), 'slow_down');
      const stored = await store.deviceAuthorizations.findByDeviceCode('d1');
      assert.equal(stored?.interval, 15);
      assert.equal(stored?.lastPolledAt, T0 + 21);
      assert.equal(await outcome(store, 'd1', T0 + 36), 'pending');
      assert.equal((await store.deviceAuthorizations.findByDeviceCode('d1'))?.interval, 15);
    });

    it('judges concurrent polls one against the other: at most one is on time', async () => {
      await store.deviceAuthorizations.insert(pending('d1'));
      const outcomes = await Promise.all(Array.from({ length: 6 }, () => outcome(store, 'd1', T0 + 5)));
      assert.equal(outcomes.filter((o) => o === 'pending').length, 1);
      assert.equal(outcomes.filter((o) => o === 'slow_down').length, 5);
      assert.equal((await store.deviceAuthorizations.findByDeviceCode('d1'))?.interval, 5 + 5 * 5);
    });

    it('does not record polls of a request that is no longer pending', async () => {
      await store.deviceAuthorizations.insert(pending('d1'));
      await store.deviceAuthorizations.decide('d1', APPROVAL, T0 + 1);
      assert.deepEqual(await store.deviceAuthorizations.recordPoll('d1', T0 + 2), { outcome: 'not_pending' });
      assert.deepEqual(await store.deviceAuthorizations.recordPoll('nope', T0 + 2), {
        outcome: 'not_pending',
      });
      assert.equal((await store.deviceAuthorizations.findByDeviceCode('d1'))?.lastPolledAt, null);
    });

    it('deletes requests that expired before the given time, whatever their status', async () => {
      await store.deviceAuthorizations.insert(pending('d1', { expiresAt: T0 + 10 }));
      await store.deviceAuthorizations.insert(pending('d2', { expiresAt: T0 + 10 }));
      await store.deviceAuthorizations.insert(pending('d3', { expiresAt: T0 + 20 }));
      await store.deviceAuthorizations.decide('d2', APPROVAL, T0 + 1);
      await store.deviceAuthorizations.consume('d2', T0 + 2);
      assert.equal(await store.deviceAuthorizations.deleteExpired(T0 + 11), 2);
      assert.equal(await store.deviceAuthorizations.findByDeviceCode('d1'), undefined);
      assert.equal(await store.deviceAuthorizations.findByUserCode('user-d2'), undefined);
      assert.ok(await store.deviceAuthorizations.findByDeviceCode('d3'));
      // The purged user code can be handed out again.
      assert.equal(
        await store.deviceAuthorizations.insert(pending('d4', { userCodeDigest: 'user-d1' })),
        true,
      );
    });
  });
}

async function outcome(store: Store, digest: string, at: number): Promise<string> {
  return (await store.deviceAuthorizations.recordPoll(digest, at)).outcome;
}
