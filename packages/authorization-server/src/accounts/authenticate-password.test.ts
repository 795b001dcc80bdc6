import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createLogger, createManualClock, epochSeconds, type ManualClock } from '@gatehouse/core';
import type { Store, UserRecord } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { validateConfig } from '../config/load.js';
import {
  type AccountContext,
  authenticatePassword,
  type PasswordAuthentication,
} from './authenticate-password.js';
import { hashPassword, needsRehash, verifyPassword } from './password.js';

const PASSWORD = 'correct horse battery staple';
const WRONG = 'incorrect horse battery staple';
const ADDRESS = '203.0.113.7';
const OTHER_ADDRESS = '198.51.100.9';

let alicePasswordHash: string;

function user(username: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: `id-${username}`,
    username,
    email: null,
    emailVerified: false,
    name: null,
    roles: [],
    groups: [],
    status: 'active',
    passwordHash: alicePasswordHash,
    source: 'admin',
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

/** The parts of a failure a test compares. */
const failed = (code: string, retryAfter: number | null, detail: string) => ({
  ok: false,
  code,
  retryAfter,
  detail,
});
const outcome = (result: PasswordAuthentication) =>
  result.ok ? { ok: true, userId: result.user.id } : result;

for (const backend of storeBackends()) {
  describe(`authenticatePassword (${backend.name})`, { skip: backend.skipReason }, () => {
    let store: Store;
    let clock: ManualClock;
    let ctx: AccountContext;
    let logLines: string[];
    const attempt = (username: string, password: string, address = ADDRESS) =>
      authenticatePassword(ctx, { username, password, address });

    beforeEach(async () => {
      alicePasswordHash ??= await hashPassword(PASSWORD);
      clock = createManualClock();
      store = await backend.open({ clock });
      logLines = [];
      const destination = new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      });
      ctx = {
        store,
        clock,
        logger: createLogger({ level: 'info', destination }),
        config: validateConfig({}),
      };
      await store.users.insert(user('alice'));
    });
    afterEach(() => store.close());

    describe('credentials', () => {
      it('returns the user for the right password, in any case and with stray spaces', async () => {
        for (const typed of ['alice', 'ALICE', '  Alice ']) {
          assert.deepEqual(outcome(await attempt(typed, PASSWORD)), { ok: true, userId: 'id-alice' });
        }
      });

      it('refuses a wrong password', async () => {
        assert.deepEqual(
          await attempt('alice', WRONG),
          failed('invalid_credentials', null, 'wrong_password'),
        );
      });

      it('never trims the password', async () => {
        assert.deepEqual(
          await attempt('alice', ` ${PASSWORD}`),
          failed('invalid_credentials', null, 'wrong_password'),
        );
      });

      it('answers an unknown username exactly like a wrong password', async () => {
        assert.deepEqual(
          await attempt('mallory', PASSWORD),
          failed('invalid_credentials', null, 'unknown_user'),
        );
      });

      it('answers a disabled user with the right password exactly like a wrong password', async () => {
        await store.users.insert(user('bob', { status: 'disabled' }));
        assert.deepEqual(await attempt('bob', PASSWORD), failed('invalid_credentials', null, 'disabled'));
      });

      it('answers a user without a password exactly like a wrong password', async () => {
        await store.users.insert(user('carol', { passwordHash: null }));
        assert.deepEqual(
          await attempt('carol', PASSWORD),
          failed('invalid_credentials', null, 'no_password'),
        );
      });

      it('refuses malformed input without counting it', async () => {
        for (const [username, password] of [
          ['', PASSWORD],
          ['   ', PASSWORD],
          ['alice', ''],
          ['a'.repeat(257), PASSWORD],
          ['alice', 'a'.repeat(1025)],
        ] as const) {
          assert.deepEqual(
            await attempt(username, password),
            failed('invalid_credentials', null, 'malformed'),
            `${username.length}/${password.length}`,
          );
        }
        for (let i = 0; i < 10; i++) await attempt('alice', '');
        assert.equal(await store.loginAttempts.find('account:alice', epochSeconds(clock)), undefined);
        assert.equal((await attempt('alice', PASSWORD)).ok, true);
      });
    });

    describe('throttling per account', () => {
      it('lets five failures through, then makes each attempt wait twice as long as the last', async () => {
        for (let i = 1; i <= 4; i++) {
          assert.deepEqual(
            await attempt('alice', WRONG),
            failed('invalid_credentials', null, 'wrong_password'),
          );
        }
        assert.deepEqual(await attempt('alice', WRONG), failed('invalid_credentials', 1, 'wrong_password'));
        // While it waits, not even the right password is checked.
        assert.deepEqual(await attempt('alice', PASSWORD), failed('throttled', 1, 'account_throttled'));
        clock.advance(1);
        assert.deepEqual(await attempt('alice', WRONG), failed('invalid_credentials', 2, 'wrong_password'));
        clock.advance(1);
        assert.deepEqual(await attempt('alice', WRONG), failed('throttled', 1, 'account_throttled'));
        clock.advance(1);
        assert.deepEqual(await attempt('alice', WRONG), failed('invalid_credentials', 4, 'wrong_password'));
        clock.advance(4);
        assert.deepEqual(outcome(await attempt('alice', PASSWORD)), { ok: true, userId: 'id-alice' });
      });

      it('throttles from any address: the account is the key', async () => {
        for (let i = 0; i < 5; i++) await attempt('alice', WRONG, `192.0.2.${i}`);
        assert.deepEqual(
          await attempt('alice', PASSWORD, OTHER_ADDRESS),
          failed('throttled', 1, 'account_throttled'),
        );
      });

      it('throttles a username that belongs to nobody exactly like one that exists', async () => {
        const sequence = async (username: string) => {
          const results: unknown[] = [];
          for (let i = 0; i < 7; i++) {
            const result = await attempt(username, WRONG);
            results.push(result.ok ? 'ok' : [result.code, result.retryAfter]);
          }
          return results;
        };
        const real = await sequence('alice');
        const unknown = await sequence('nobody-here');
        assert.deepEqual(unknown, real);
        assert.deepEqual(real[5], ['throttled', 1]);
      });

      it('forgets the failures when the right password is given', async () => {
        for (let i = 0; i < 4; i++) await attempt('alice', WRONG);
        assert.equal((await attempt('alice', PASSWORD)).ok, true);
        for (let i = 0; i < 4; i++) {
          assert.deepEqual(
            await attempt('alice', WRONG),
            failed('invalid_credentials', null, 'wrong_password'),
          );
        }
      });

      it('forgets the failures forget_after seconds after the last one', async () => {
        for (let i = 0; i < 6; i++) await attempt('alice', WRONG);
        clock.advance(3599);
        assert.equal((await store.loginAttempts.find('account:alice', epochSeconds(clock)))?.failures, 5);
        clock.advance(1);
        for (let i = 0; i < 4; i++) {
          assert.deepEqual(
            await attempt('alice', WRONG),
            failed('invalid_credentials', null, 'wrong_password'),
          );
        }
      });

      it('checks only one of many attempts sent at once when the wait runs out', async () => {
        for (let i = 0; i < 5; i++) await attempt('alice', WRONG);
        clock.advance(1);
        const results = await Promise.all(Array.from({ length: 10 }, () => attempt('alice', WRONG)));
        assert.equal(results.filter((r) => !r.ok && r.code === 'invalid_credentials').length, 1);
        assert.equal(results.filter((r) => !r.ok && r.code === 'throttled').length, 9);
        assert.equal((await store.loginAttempts.find('account:alice', epochSeconds(clock)))?.failures, 6);
      });

      it('follows accounts.login_throttle', async () => {
        ctx.config = validateConfig({
          accounts: { login_throttle: { account_failures: 2, base_delay: 30, max_delay: 60 } },
        });
        assert.deepEqual(
          await attempt('alice', WRONG),
          failed('invalid_credentials', null, 'wrong_password'),
        );
        assert.deepEqual(await attempt('alice', WRONG), failed('invalid_credentials', 30, 'wrong_password'));
        clock.advance(30);
        assert.deepEqual(await attempt('alice', WRONG), failed('invalid_credentials', 60, 'wrong_password'));
        clock.advance(60);
        assert.deepEqual(await attempt('alice', WRONG), failed('invalid_credentials', 60, 'wrong_password'));
      });
    });

    describe('throttling per address', () => {
      it('makes an address wait after 20 failures, whichever usernames it tried', async () => {
        for (let i = 0; i < 20; i++) await attempt(`user${i}`, WRONG);
        assert.deepEqual(await attempt('alice', PASSWORD), failed('throttled', 1, 'address_throttled'));
        assert.equal((await attempt('alice', PASSWORD, OTHER_ADDRESS)).ok, true);
      });

      it('counts every address of one IPv6 /64 as one', async () => {
        for (let i = 0; i < 20; i++) await attempt(`user${i}`, WRONG, `2001:db8:1:2::${i.toString(16)}`);
        assert.deepEqual(
          await attempt('alice', PASSWORD, '2001:db8:1:2:ffff::1'),
          failed('throttled', 1, 'address_throttled'),
        );
        assert.equal((await attempt('alice', PASSWORD, '2001:db8:1:3::1')).ok, true);
      });

      it('keeps the address’s failures after a success there', async () => {
        for (let i = 0; i < 19; i++) await attempt(`user${i}`, WRONG);
        assert.equal((await attempt('alice', PASSWORD)).ok, true);
        assert.deepEqual(await attempt('user0', WRONG), failed('invalid_credentials', 1, 'unknown_user'));
      });
    });

    describe('hash upgrade', () => {
      it('re-hashes with the current parameters at a successful sign-in', async () => {
        const old = await hashPassword(PASSWORD, { memoryCost: 8192, timeCost: 1, parallelism: 1 });
        await store.users.insert(user('dave', { passwordHash: old }));
        const result = await attempt('dave', PASSWORD);
        assert.ok(result.ok);
        const stored = (await store.users.findById('id-dave'))?.passwordHash ?? '';
        assert.notEqual(stored, old);
        assert.equal(needsRehash(stored), false);
        assert.equal(result.user.passwordHash, stored);
        assert.equal(await verifyPassword(stored, PASSWORD), true);
        assert.equal((await attempt('dave', PASSWORD)).ok, true);
      });

      it('leaves a current hash alone', async () => {
        assert.ok((await attempt('alice', PASSWORD)).ok);
        assert.equal((await store.users.findById('id-alice'))?.passwordHash, alicePasswordHash);
      });

      it('keeps a password an admin set while the sign-in was running', async () => {
        const old = await hashPassword(PASSWORD, { memoryCost: 8192, timeCost: 1, parallelism: 1 });
        await store.users.insert(user('erin', { passwordHash: old }));
        const adminHash = await hashPassword('a new password set by an admin');
        ctx.store = {
          ...store,
          users: {
            ...store.users,
            async replacePasswordHash(...args) {
              await store.users.update('id-erin', { passwordHash: adminHash, updatedAt: 1 });
              return store.users.replacePasswordHash(...args);
            },
          },
        };
        const result = await attempt('erin', PASSWORD);
        assert.ok(result.ok);
        assert.equal(result.user.passwordHash, old);
        assert.equal((await store.users.findById('id-erin'))?.passwordHash, adminHash);
      });
    });

    describe('logs', () => {
      it('say why an attempt failed, never the password nor a username that names nobody', async () => {
        await attempt('alice', WRONG);
        await attempt('mallory-typed-her-password', WRONG);
        const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
        assert.deepEqual(
          entries.map((e) => [e['event'], e['detail'], e['userId'], e['address']]),
          [
            ['login_failed', 'wrong_password', 'id-alice', ADDRESS],
            ['login_failed', 'unknown_user', undefined, ADDRESS],
          ],
        );
        const text = logLines.join('');
        assert.ok(!text.includes(WRONG));
        assert.ok(!text.includes('mallory'));
      });
    });
  });
}
