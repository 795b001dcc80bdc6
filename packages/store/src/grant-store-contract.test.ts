import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { GrantRecord, Store } from './index.js';
import { storeBackends } from './testing/index.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, in seconds

function grant(id: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id,
    userId: 'user-1',
    clientId: 'web',
    scopes: ['openid', 'profile', 'orders:read'],
    resources: ['https://api.example'],
    claims: { userinfo: { email: { essential: true } }, note: 'Zürich ✓' },
    createdAt: T0,
    updatedAt: T0,
    revokedAt: null,
    ...overrides,
  };
}

for (const backend of storeBackends()) {
  describe(backend.name, { skip: backend.skipReason }, () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(() => store.close());

    describe('grants', () => {
      it('stores a new grant and finds it by user and client, and by id', async () => {
        const record = grant('g1');
        assert.deepEqual(await store.grants.upsert(record), record);
        assert.deepEqual(await store.grants.find('user-1', 'web'), record);
        assert.deepEqual(await store.grants.findById('g1'), record);
      });

      it('keeps empty arrays and reads omitted claims as null', async () => {
        const { claims, ...bare } = grant('g1', { scopes: [], resources: [] });
        await store.grants.upsert(bare);
        assert.deepEqual(await store.grants.findById('g1'), { ...bare, claims: null });
      });

      it('returns undefined for an unknown grant', async () => {
        assert.equal(await store.grants.find('user-1', 'web'), undefined);
        assert.equal(await store.grants.findById('missing'), undefined);
      });

      it('replaces the live grant’s approval on upsert, keeping its id and creation time', async () => {
        await store.grants.upsert(grant('g1'));
        const stored = await store.grants.upsert(
          grant('g2', {
            scopes: ['openid'],
            resources: [],
            claims: null,
            createdAt: T0 + 60,
            updatedAt: T0 + 60,
          }),
        );
        const expected = grant('g1', { scopes: ['openid'], resources: [], claims: null, updatedAt: T0 + 60 });
        assert.deepEqual(stored, expected);
        assert.deepEqual(await store.grants.find('user-1', 'web'), expected);
        assert.equal(await store.grants.findById('g2'), undefined);
      });

      it('keeps users and clients apart', async () => {
        await store.grants.upsert(grant('g1'));
        await store.grants.upsert(grant('g2', { clientId: 'cli' }));
        await store.grants.upsert(grant('g3', { userId: 'user-2' }));
        assert.equal((await store.grants.find('user-1', 'cli'))?.id, 'g2');
        assert.equal((await store.grants.find('user-2', 'web'))?.id, 'g3');
      });

      it('revokes a live grant once; a later upsert starts a new grant beside the revoked one', async () => {
        await store.grants.upsert(grant('g1'));
        assert.equal(await store.grants.revoke('g1', T0 + 10), true);
        assert.equal(await store.grants.revoke('g1', T0 + 20), false);
        assert.equal(await store.grants.revoke('missing', T0), false);
        assert.equal(await store.grants.find('user-1', 'web'), undefined);
        assert.equal((await store.grants.findById('g1'))?.revokedAt, T0 + 10);
        const fresh = await store.grants.upsert(grant('g2', { createdAt: T0 + 30, updatedAt: T0 + 30 }));
        assert.equal(fresh.id, 'g2');
        assert.equal((await store.grants.find('user-1', 'web'))?.id, 'g2');
      });

      it('ends in one live grant when a user consents to a client concurrently', async () => {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.grants.upsert(grant(`g${i}`, { scopes: [`s${i}`] }))),
        );
        const live = await store.grants.listByUser('user-1');
        assert.equal(live.length, 1);
        assert.ok(results.every((r) => r.id === live[0]?.id));
      });

      it('lists a user’s live grants, most recently updated first, revoked ones on request', async () => {
        await store.grants.upsert(grant('a', { clientId: 'c1', updatedAt: T0 }));
        await store.grants.upsert(grant('b', { clientId: 'c2', updatedAt: T0 + 20 }));
        await store.grants.upsert(grant('c', { clientId: 'c3', updatedAt: T0 + 10 }));
        await store.grants.upsert(grant('d', { userId: 'user-2' }));
        await store.grants.revoke('c', T0 + 30);
        const list = async (includeRevoked?: boolean) =>
          (
            await store.grants.listByUser('user-1', includeRevoked === undefined ? {} : { includeRevoked })
          ).map((g) => g.id);
        assert.deepEqual(await list(), ['b', 'a']);
        assert.deepEqual(await list(true), ['b', 'c', 'a']);
        assert.deepEqual(await store.grants.listByUser('nobody'), []);
      });

      it('deletes grants revoked before the cut-off and never a live one', async () => {
        await store.grants.upsert(grant('old', { clientId: 'c1' }));
        await store.grants.upsert(grant('edge', { clientId: 'c2' }));
        await store.grants.upsert(grant('live', { clientId: 'c3' }));
        await store.grants.revoke('old', T0 - 1);
        await store.grants.revoke('edge', T0);
        assert.equal(await store.grants.deleteRevoked(T0), 1);
        assert.equal(await store.grants.findById('old'), undefined);
        assert.ok(await store.grants.findById('edge'));
        assert.ok(await store.grants.findById('live'));
      });
    });
  });
}
