import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DuplicateUserError, type Store } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { needsRehash, verifyPassword } from './password.js';
import { AccountInputError, addUser, type NewUser, setUserStatus } from './user-admin.js';

const T0 = 1_767_225_600;
const PASSWORD = 'a long enough password';
const policy = { minLength: 12 };

describe('addUser and setUserStatus', () => {
  let store: Store;
  beforeEach(async () => {
    store = await storeBackends()[0]!.open();
  });
  afterEach(() => store.close());

  const add = (input: Partial<NewUser> = {}) =>
    addUser(store, { username: 'alice', password: PASSWORD, ...input }, policy, T0);

  async function inputError(work: Promise<unknown>): Promise<[string, string]> {
    try {
      await work;
    } catch (error) {
      assert.ok(error instanceof AccountInputError, `expected an AccountInputError, got ${error}`);
      assert.equal(error.code, 'invalid_account_input');
      assert.equal(error.message, `${error.field} ${error.problem}`);
      return [error.field, error.problem];
    }
    assert.fail('the user was added');
  }

  describe('addUser', () => {
    it('stores an active admin user with a new id and the password hashed', async () => {
      const user = await add({
        email: 'Alice@Example.com',
        emailVerified: true,
        name: 'Alice Liddell',
        roles: ['admin', 'admin', 'auditor'],
        groups: ['ops'],
      });
      assert.match(user.id, /^[A-Za-z0-9_-]{22}$/);
      assert.deepEqual(await store.users.findById(user.id), user);
      assert.deepEqual(
        { ...user, id: 'x', passwordHash: 'x' },
        {
          id: 'x',
          username: 'alice',
          email: 'Alice@Example.com',
          emailVerified: true,
          name: 'Alice Liddell',
          roles: ['admin', 'auditor'],
          groups: ['ops'],
          status: 'active',
          passwordHash: 'x',
          source: 'admin',
          createdAt: T0,
          updatedAt: T0,
        },
      );
      assert.equal(needsRehash(user.passwordHash ?? ''), false);
      assert.equal(await verifyPassword(user.passwordHash, PASSWORD), true);
    });

    it('fills in what was not given', async () => {
      const user = await add({ username: 'bob' });
      assert.equal(user.email, null);
      assert.equal(user.emailVerified, false);
      assert.equal(user.name, null);
      assert.deepEqual([user.roles, user.groups], [[], []]);
    });

    it('refuses a username taken in any case', async () => {
      await add({ username: 'carol' });
      await assert.rejects(add({ username: 'Carol' }), (error: unknown) => {
        assert.ok(error instanceof DuplicateUserError);
        assert.equal(error.field, 'username');
        return true;
      });
    });

    it('refuses an email taken in any case', async () => {
      await add({ username: 'dave', email: 'dave@example.com' });
      await assert.rejects(add({ username: 'dave2', email: 'DAVE@example.com' }), (error: unknown) => {
        assert.ok(error instanceof DuplicateUserError);
        assert.equal(error.field, 'email');
        return true;
      });
    });

    it('names the field that breaks the rules, before hashing anything', async () => {
      const cases: [Partial<NewUser>, [string, string]][] = [
        [
          { username: 'eve smith' },
          [
            'username',
            "must be 1-64 characters: ASCII letters, digits, '.', '_' or '-', starting with a letter or digit",
          ],
        ],
        [{ email: 'not-an-email' }, ['email', "must be an email address like 'name@example.com'"]],
        [{ email: `${'a'.repeat(250)}@x.io` }, ['email', 'must be at most 254 characters']],
        [{ emailVerified: true }, ['email verified', 'needs an email']],
        [{ name: ' ' }, ['name', 'must not be empty']],
        [{ name: 'n'.repeat(201) }, ['name', 'must be at most 200 characters']],
        [
          { roles: ['has space'] },
          ["role 'has space'", 'must be 1-100 visible ASCII characters without spaces'],
        ],
        [{ groups: [''] }, ["group ''", 'must be 1-100 visible ASCII characters without spaces']],
        [{ password: 'short' }, ['password', 'must be at least 12 characters']],
        [{ password: '             ' }, ['password', 'must not be empty or only whitespace']],
        [{ password: 'p'.repeat(1025) }, ['password', 'must be at most 1024 characters']],
      ];
      for (const [input, expected] of cases) {
        assert.deepEqual(
          await inputError(add({ username: 'eve', ...input })),
          expected,
          JSON.stringify(input),
        );
      }
      assert.equal(await store.users.findByUsername('eve'), undefined);
    });
  });

  describe('setUserStatus', () => {
    it('disables and enables a user by username, in any case', async () => {
      const user = await add({ username: 'frank' });
      const disabled = await setUserStatus(store, 'FRANK', 'disabled', T0 + 5);
      assert.deepEqual(disabled, {
        outcome: 'changed',
        user: { ...user, status: 'disabled', updatedAt: T0 + 5 },
        endedSessions: 0,
      });
      assert.deepEqual(await store.users.findById(user.id), {
        ...user,
        status: 'disabled',
        updatedAt: T0 + 5,
      });
      const enabled = await setUserStatus(store, 'frank', 'active', T0 + 6);
      assert.equal(enabled.outcome, 'changed');
      assert.equal((await store.users.findById(user.id))?.status, 'active');
    });

    it('ends a disabled user’s sessions and revokes their tokens, except offline ones', async () => {
      const user = await add({ username: 'ivan' });
      const session = (id: string, sid: string) => ({
        id,
        sid,
        userId: user.id,
        createdAt: T0,
        lastSeenAt: T0,
        idleExpiresAt: T0 + 1800,
        absoluteExpiresAt: T0 + 43_200,
        authTime: T0,
        amr: ['pwd'],
        acr: null,
        endedAt: null,
        endReason: null,
      });
      await store.sessions.insert(session('session-a', 'sid-a'));
      await store.sessions.insert(session('session-b', 'sid-b'));
      const token = (digest: string, offline: boolean) =>
        store.tokens.insert({
          digest,
          kind: 'refresh_token',
          jti: `jti-${digest}`,
          clientId: 'web-app',
          subject: user.id,
          scope: 'openid',
          audience: [],
          issuedAt: T0,
          expiresAt: T0 + 86_400,
          revokedAt: null,
          confirmation: null,
          extra: {},
          sessionId: 'session-a',
          offline,
        });
      await token('online', false);
      await token('offline', true);

      const ended: string[] = [];
      const disabled = await setUserStatus(store, 'ivan', 'disabled', T0 + 5, {
        onSessionEnded: ({ sessionId, reason }) => ended.push(`${sessionId}:${reason}`),
      });
      assert.equal(disabled.outcome === 'changed' && disabled.endedSessions, 2);
      assert.deepEqual(
        ended.sort(),
        ['session-a:user_disabled', 'session-b:user_disabled'],
        'each one announced',
      );
      for (const id of ['session-a', 'session-b']) {
        const ended = await store.sessions.findById(id);
        assert.deepEqual([ended?.endedAt, ended?.endReason], [T0 + 5, 'user_disabled']);
      }
      assert.equal((await store.tokens.findByDigest('online'))?.revokedAt, T0 + 5);
      assert.equal((await store.tokens.findByDigest('offline'))?.revokedAt, null);
    });

    it('says when there was nothing to change', async () => {
      const user = await add({ username: 'grace' });
      assert.deepEqual(await setUserStatus(store, 'grace', 'active', T0 + 5), { outcome: 'unchanged', user });
      assert.equal((await store.users.findById(user.id))?.updatedAt, T0);
    });

    it('says when there is no such user', async () => {
      assert.deepEqual(await setUserStatus(store, 'nobody', 'disabled', T0), { outcome: 'not_found' });
    });

    it('leaves a config user to the config file', async () => {
      const user = await add({ username: 'heidi' });
      await store.users.update(user.id, { source: 'config', updatedAt: T0 });
      const result = await setUserStatus(store, 'heidi', 'disabled', T0 + 5);
      assert.equal(result.outcome, 'from_config');
      assert.equal((await store.users.findById(user.id))?.status, 'active');
    });
  });
});
