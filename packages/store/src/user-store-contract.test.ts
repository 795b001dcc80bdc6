import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DuplicateUserError, type Store, type UserRecord } from './index.js';
import { storeBackends } from './testing/index.js';

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, in seconds
const HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

function user(username: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: `id-${username.toLowerCase()}`,
    username,
    email: `${username.toLowerCase()}@example.com`,
    emailVerified: true,
    name: 'Zoë Ångström ✓',
    roles: ['admin', 'auditor'],
    groups: ['ops', 'team:zürich'],
    status: 'active',
    passwordHash: HASH,
    source: 'admin',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

async function duplicateField(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof DuplicateUserError, `expected a DuplicateUserError, got ${error}`);
    assert.equal(error.code, 'duplicate_user');
    assert.equal(error.message, `a user with this ${error.field} already exists`);
    return error.field;
  }
  assert.fail('the write was accepted');
}

for (const backend of storeBackends()) {
  describe(backend.name, { skip: backend.skipReason }, () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(() => store.close());

    describe('users', () => {
      it('round-trips a user, arrays and Unicode included', async () => {
        const record = user('Alice');
        await store.users.insert(record);
        assert.deepEqual(await store.users.findById('id-alice'), record);
      });

      it('keeps nulls and empty arrays', async () => {
        const record = user('bob', {
          email: null,
          emailVerified: false,
          name: null,
          roles: [],
          groups: [],
          passwordHash: null,
          status: 'disabled',
          source: 'config',
        });
        await store.users.insert(record);
        assert.deepEqual(await store.users.findById('id-bob'), record);
      });

      it('returns undefined for an unknown id, username or email', async () => {
        await store.users.insert(user('alice'));
        assert.equal(await store.users.findById('nobody'), undefined);
        assert.equal(await store.users.findByUsername('nobody'), undefined);
        assert.equal(await store.users.findByEmail('nobody@example.com'), undefined);
      });

      it('finds a user by username in any case, keeping the spelling it was given', async () => {
        await store.users.insert(user('Alice'));
        for (const typed of ['Alice', 'alice', 'ALICE', 'ＡＬＩＣＥ']) {
          assert.equal((await store.users.findByUsername(typed))?.username, 'Alice', typed);
        }
      });

      it('finds a user by email in any case', async () => {
        await store.users.insert(user('alice', { email: 'Alice.Smith@Example.COM' }));
        const found = await store.users.findByEmail('alice.smith@example.com');
        assert.equal(found?.id, 'id-alice');
        assert.equal(found?.email, 'Alice.Smith@Example.COM');
      });

      it('rejects a username that differs only in case, naming the field', async () => {
        await store.users.insert(user('alice'));
        assert.equal(
          await duplicateField(store.users.insert(user('ALICE', { id: 'other', email: null }))),
          'username',
        );
        assert.equal((await store.users.list()).length, 1);
      });

      it('rejects an email that differs only in case, naming the field', async () => {
        await store.users.insert(user('alice', { email: 'alice@example.com' }));
        assert.equal(
          await duplicateField(store.users.insert(user('bob', { email: 'ALICE@example.com' }))),
          'email',
        );
      });

      it('rejects a second user with the same id, naming the field', async () => {
        await store.users.insert(user('alice'));
        assert.equal(await duplicateField(store.users.insert(user('bob', { id: 'id-alice' }))), 'id');
      });

      it('lets any number of users have no email', async () => {
        await store.users.insert(user('alice', { email: null }));
        await store.users.insert(user('bob', { email: null }));
        assert.equal((await store.users.list()).length, 2);
      });

      it('gives exactly one of several concurrent inserts of one username success', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) =>
            store.users.insert(user(i % 2 === 0 ? 'carol' : 'CAROL', { id: `carol-${i}`, email: null })),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) {
          if (r.status === 'rejected') assert.ok(r.reason instanceof DuplicateUserError);
        }
      });

      it('lists users ordered by username regardless of case', async () => {
        for (const name of ['charlie', 'Alpha', 'bravo']) await store.users.insert(user(name));
        assert.deepEqual(
          (await store.users.list()).map((u) => u.username),
          ['Alpha', 'bravo', 'charlie'],
        );
      });

      it('updates only the fields given and returns the updated user', async () => {
        await store.users.insert(user('alice'));
        const updated = await store.users.update('id-alice', {
          name: 'Alice Liddell',
          roles: ['reader'],
          emailVerified: false,
          updatedAt: T0 + 60,
        });
        const expected = user('alice', {
          name: 'Alice Liddell',
          roles: ['reader'],
          emailVerified: false,
          updatedAt: T0 + 60,
        });
        assert.deepEqual(updated, expected);
        assert.deepEqual(await store.users.findById('id-alice'), expected);
      });

      it('moves the lookup keys with a changed username and email', async () => {
        await store.users.insert(user('alice'));
        await store.users.update('id-alice', {
          username: 'Alicia',
          email: 'Alicia@Example.com',
          updatedAt: T0,
        });
        assert.equal(await store.users.findByUsername('alice'), undefined);
        assert.equal(await store.users.findByEmail('alice@example.com'), undefined);
        assert.equal((await store.users.findByUsername('ALICIA'))?.id, 'id-alice');
        assert.equal((await store.users.findByEmail('alicia@example.com'))?.id, 'id-alice');
      });

      it('clears an email with null', async () => {
        await store.users.insert(user('alice'));
        const updated = await store.users.update('id-alice', { email: null, updatedAt: T0 });
        assert.equal(updated?.email, null);
        assert.equal(await store.users.findByEmail('alice@example.com'), undefined);
      });

      it('rejects an update to another user’s username or email, changing nothing', async () => {
        await store.users.insert(user('alice'));
        await store.users.insert(user('bob'));
        assert.equal(
          await duplicateField(store.users.update('id-bob', { username: 'Alice', updatedAt: T0 + 1 })),
          'username',
        );
        assert.equal(
          await duplicateField(
            store.users.update('id-bob', { email: 'ALICE@example.com', updatedAt: T0 + 1 }),
          ),
          'email',
        );
        assert.deepEqual(await store.users.findById('id-bob'), user('bob'));
      });

      it('returns undefined when updating an unknown user', async () => {
        assert.equal(await store.users.update('nobody', { name: 'x', updatedAt: T0 }), undefined);
      });

      it('sets the status and the update time, and returns false for an unknown user', async () => {
        await store.users.insert(user('alice'));
        assert.equal(await store.users.setStatus('id-alice', 'disabled', T0 + 5), true);
        const disabled = await store.users.findById('id-alice');
        assert.equal(disabled?.status, 'disabled');
        assert.equal(disabled?.updatedAt, T0 + 5);
        assert.equal(await store.users.setStatus('id-alice', 'active', T0 + 6), true);
        assert.equal((await store.users.findById('id-alice'))?.status, 'active');
        assert.equal(await store.users.setStatus('nobody', 'disabled', T0), false);
      });

      it('replaces a password hash only while it is the expected one', async () => {
        await store.users.insert(user('alice'));
        assert.equal(await store.users.replacePasswordHash('id-alice', 'stale', 'new-1', T0 + 1), false);
        assert.equal((await store.users.findById('id-alice'))?.passwordHash, HASH);
        assert.equal(await store.users.replacePasswordHash('id-alice', HASH, 'new-1', T0 + 2), true);
        const updated = await store.users.findById('id-alice');
        assert.equal(updated?.passwordHash, 'new-1');
        assert.equal(updated?.updatedAt, T0 + 2);
        assert.equal(await store.users.replacePasswordHash('id-alice', HASH, 'new-2', T0 + 3), false);
        assert.equal(await store.users.replacePasswordHash('nobody', HASH, 'new-2', T0 + 3), false);
      });

      it('never replaces a null password hash', async () => {
        await store.users.insert(user('alice', { passwordHash: null }));
        assert.equal(await store.users.replacePasswordHash('id-alice', HASH, 'new', T0), false);
        assert.equal((await store.users.findById('id-alice'))?.passwordHash, null);
      });
    });

    describe('loginAttempts', () => {
      it('has no record for a key that never failed', async () => {
        assert.equal(await store.loginAttempts.find('account:alice', T0), undefined);
      });

      it('counts failures and keeps the first and last time', async () => {
        assert.deepEqual(await store.loginAttempts.recordFailure('account:alice', T0, T0 + 3600), {
          key: 'account:alice',
          failures: 1,
          firstFailureAt: T0,
          lastFailureAt: T0,
          expiresAt: T0 + 3600,
        });
        const second = await store.loginAttempts.recordFailure('account:alice', T0 + 10, T0 + 3610);
        assert.deepEqual(second, {
          key: 'account:alice',
          failures: 2,
          firstFailureAt: T0,
          lastFailureAt: T0 + 10,
          expiresAt: T0 + 3610,
        });
        assert.deepEqual(await store.loginAttempts.find('account:alice', T0 + 10), second);
      });

      it('keeps keys apart', async () => {
        await store.loginAttempts.recordFailure('account:alice', T0, T0 + 60);
        await store.loginAttempts.recordFailure('account:alice', T0, T0 + 60);
        const other = await store.loginAttempts.recordFailure('address:192.0.2.1', T0, T0 + 60);
        assert.equal(other.failures, 1);
      });

      it('reads an expired record as none, and starts it again from one', async () => {
        await store.loginAttempts.recordFailure('k', T0, T0 + 60);
        await store.loginAttempts.recordFailure('k', T0 + 1, T0 + 61);
        assert.equal((await store.loginAttempts.find('k', T0 + 60))?.failures, 2);
        assert.equal(await store.loginAttempts.find('k', T0 + 61), undefined);
        assert.deepEqual(await store.loginAttempts.recordFailure('k', T0 + 61, T0 + 121), {
          key: 'k',
          failures: 1,
          firstFailureAt: T0 + 61,
          lastFailureAt: T0 + 61,
          expiresAt: T0 + 121,
        });
      });

      it('counts every one of many concurrent failures', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.loginAttempts.recordFailure('hot', T0, T0 + 60)),
        );
        assert.deepEqual(
          results.map((r) => r.failures).sort((a, b) => a - b),
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
        assert.equal((await store.loginAttempts.find('hot', T0))?.failures, 20);
      });

      it('forgets a key on clear, and clearing an unknown key is not an error', async () => {
        await store.loginAttempts.recordFailure('k', T0, T0 + 60);
        await store.loginAttempts.clear('k');
        assert.equal(await store.loginAttempts.find('k', T0), undefined);
        await store.loginAttempts.clear('never-seen');
      });

      it('deletes records that expired before the cut-off and counts them', async () => {
        await store.loginAttempts.recordFailure('old', T0 - 100, T0 - 1);
        await store.loginAttempts.recordFailure('edge', T0 - 100, T0);
        await store.loginAttempts.recordFailure('live', T0 - 100, T0 + 60);
        assert.equal(await store.loginAttempts.deleteExpired(T0), 1);
        assert.equal(await store.loginAttempts.deleteExpired(T0), 0);
        assert.equal((await store.loginAttempts.find('live', T0))?.failures, 1);
      });
    });
  });
}
