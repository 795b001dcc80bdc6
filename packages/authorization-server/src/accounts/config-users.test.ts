import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createLogger, createSilentLogger, type Logger } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { ConfigError } from '../config/config-error.js';
import { validateConfig } from '../config/load.js';
import type { UserConfig } from '../config/schema.js';
import { startTestIssuer } from '../testing/harness.js';
import { authenticatePassword } from './authenticate-password.js';
import { syncConfigUsers } from './config-users.js';
import { hashPassword, needsRehash, verifyPassword } from './password.js';

const T0 = 1_767_225_600;
const PASSWORD = 'alice-development-password';

/** `users:` entries as validateConfig completes them. */
function configUsers(...users: Record<string, unknown>[]): UserConfig[] {
  return validateConfig({ users }).users;
}

const alice = (fields: Record<string, unknown> = {}) => ({
  username: 'alice',
  email: 'alice@example.com',
  email_verified: true,
  name: 'Alice Liddell',
  roles: ['admin'],
  groups: ['ops'],
  password: PASSWORD,
  ...fields,
});

for (const backend of storeBackends()) {
  describe(`syncConfigUsers (${backend.name})`, { skip: backend.skipReason }, () => {
    let store: Store;
    const logger: Logger = createSilentLogger();
    const sync = (users: UserConfig[], now = T0) => syncConfigUsers(store, users, logger, now);

    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(() => store.close());

    it('adds each user with its fields, a new opaque id and the password hashed', async () => {
      assert.deepEqual(await sync(configUsers(alice())), { added: 1, updated: 0, disabled: 0 });
      const stored = await store.users.findByUsername('alice');
      assert.ok(stored);
      assert.match(stored.id, /^[A-Za-z0-9_-]{22}$/);
      assert.deepEqual(
        { ...stored, id: 'x', passwordHash: 'x' },
        {
          id: 'x',
          username: 'alice',
          email: 'alice@example.com',
          emailVerified: true,
          name: 'Alice Liddell',
          roles: ['admin'],
          groups: ['ops'],
          status: 'active',
          passwordHash: 'x',
          source: 'config',
          createdAt: T0,
          updatedAt: T0,
        },
      );
      assert.equal(needsRehash(stored.passwordHash ?? ''), false);
      assert.equal(await verifyPassword(stored.passwordHash, PASSWORD), true);
    });

    it('writes nothing at a restart with the same file, keeping the hash', async () => {
      await sync(configUsers(alice()));
      const before = await store.users.findByUsername('alice');
      assert.deepEqual(await sync(configUsers(alice()), T0 + 60), { added: 0, updated: 0, disabled: 0 });
      assert.deepEqual(await store.users.findByUsername('alice'), before);
    });

    it('updates only what changed, keeping the id and creation time', async () => {
      await sync(configUsers(alice()));
      const before = await store.users.findByUsername('alice');
      assert.deepEqual(await sync(configUsers(alice({ name: 'Alice L.', roles: [] })), T0 + 60), {
        added: 0,
        updated: 1,
        disabled: 0,
      });
      assert.deepEqual(await store.users.findByUsername('alice'), {
        ...before,
        name: 'Alice L.',
        roles: [],
        updatedAt: T0 + 60,
      });
    });

    it('hashes a changed password anew', async () => {
      await sync(configUsers(alice()));
      await sync(configUsers(alice({ password: 'a-changed-development-password' })), T0 + 60);
      const stored = await store.users.findByUsername('alice');
      assert.equal(
        await verifyPassword(stored?.passwordHash ?? null, 'a-changed-development-password'),
        true,
      );
      assert.equal(await verifyPassword(stored?.passwordHash ?? null, PASSWORD), false);
    });

    it('re-hashes a matching password whose hash has outdated parameters', async () => {
      await sync(configUsers(alice()));
      const user = await store.users.findByUsername('alice');
      const old = await hashPassword(PASSWORD, { memoryCost: 8192, timeCost: 1, parallelism: 1 });
      await store.users.update(user?.id ?? '', { passwordHash: old, updatedAt: T0 });
      await sync(configUsers(alice()), T0 + 60);
      const stored = (await store.users.findByUsername('alice'))?.passwordHash ?? '';
      assert.equal(needsRehash(stored), false);
      assert.equal(await verifyPassword(stored, PASSWORD), true);
    });

    it('stores a password_hash as given, and no hash for a user without a password', async () => {
      const hash = await hashPassword('bob-development-password');
      await sync(configUsers({ username: 'bob', password_hash: hash }, { username: 'carol' }));
      assert.equal((await store.users.findByUsername('bob'))?.passwordHash, hash);
      assert.equal((await store.users.findByUsername('carol'))?.passwordHash, null);
    });

    it('stores disabled: true as the disabled status', async () => {
      await sync(configUsers(alice({ disabled: true })));
      assert.equal((await store.users.findByUsername('alice'))?.status, 'disabled');
    });

    it('disables a config user no longer in the file, and enables it again, same id, when it returns', async () => {
      await sync(configUsers(alice(), { username: 'bob' }));
      const id = (await store.users.findByUsername('alice'))?.id;
      assert.deepEqual(await sync(configUsers({ username: 'bob' }), T0 + 60), {
        added: 0,
        updated: 0,
        disabled: 1,
      });
      const gone = await store.users.findByUsername('alice');
      assert.equal(gone?.status, 'disabled');
      assert.equal(gone?.updatedAt, T0 + 60);
      assert.deepEqual(await sync(configUsers({ username: 'bob' }), T0 + 61), {
        added: 0,
        updated: 0,
        disabled: 0,
      });
      assert.deepEqual(await sync(configUsers(alice(), { username: 'bob' }), T0 + 120), {
        added: 0,
        updated: 1,
        disabled: 0,
      });
      const back = await store.users.findByUsername('alice');
      assert.equal(back?.status, 'active');
      assert.equal(back?.id, id);
    });

    it('leaves users added with the CLI alone', async () => {
      await store.users.insert(adminUser('dave', 'dave@example.com'));
      await sync(configUsers(alice()));
      assert.deepEqual(await store.users.findByUsername('dave'), adminUser('dave', 'dave@example.com'));
    });

    it('takes over a CLI user the file now lists, keeping its id', async () => {
      await store.users.insert(adminUser('Alice', null));
      assert.deepEqual(await sync(configUsers(alice())), { added: 0, updated: 1, disabled: 0 });
      const stored = await store.users.findByUsername('alice');
      assert.equal(stored?.id, 'id-Alice');
      assert.equal(stored?.username, 'alice');
      assert.equal(stored?.source, 'config');
      assert.equal(await verifyPassword(stored?.passwordHash ?? null, PASSWORD), true);
    });

    it('names the key when an email already belongs to a CLI user', async () => {
      await store.users.insert(adminUser('dave', 'ALICE@example.com'));
      await assert.rejects(sync(configUsers(alice())), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          {
            key: 'users[0].email',
            message: "'alice@example.com' is already the email of user 'dave' (added with the CLI)",
          },
        ]);
        return true;
      });
    });

    it('logs no password', async () => {
      const lines: string[] = [];
      const destination = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const verbose = createLogger({ level: 'trace', destination });
      await syncConfigUsers(store, configUsers(alice(), { username: 'bob' }), verbose, T0);
      await syncConfigUsers(store, configUsers({ username: 'bob' }), verbose, T0 + 1);
      assert.ok(lines.length > 0);
      assert.ok(!lines.join('').includes(PASSWORD));
    });
  });
}

function adminUser(username: string, email: string | null) {
  return {
    id: `id-${username}`,
    username,
    email,
    emailVerified: false,
    name: null,
    roles: [],
    groups: [],
    status: 'active' as const,
    passwordHash: null,
    source: 'admin' as const,
    createdAt: T0 - 100,
    updatedAt: T0 - 100,
  };
}

describe('createIssuer', () => {
  it('seeds the users of the config, ready to sign in', async () => {
    const t = await startTestIssuer(await storeBackends()[0]!.open(), { users: [alice()] });
    try {
      const result = await authenticatePassword(t.issuer.context, {
        username: 'alice',
        password: PASSWORD,
        address: '203.0.113.7',
      });
      assert.equal(result.ok && result.user.username, 'alice');
    } finally {
      await t.close();
    }
  });
});
