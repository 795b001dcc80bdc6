import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './config-error.js';
import { validateConfig } from './load.js';

const PASSWORD = 'a-development-password';
const HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$2szcWoo3Jhzq4WmFJ5ZV5Q$egaxaYBLWxHeOSCWRpOsGrQ4gpCg5+UIo3N5vqKCJ40';

/** The problems of a document that must not validate, and the error's whole message. */
function rejection(document: Record<string, unknown>): {
  problems: { key: string; message: string }[];
  text: string;
} {
  try {
    validateConfig(document);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return { problems: error.problems, text: error.message };
  }
  assert.fail('the configuration was accepted');
}
const problemsOf = (document: Record<string, unknown>) => rejection(document).problems;
const withUsers = (...users: Record<string, unknown>[]) => ({ users });

describe('accounts', () => {
  it('defaults to a 12-character minimum and the documented throttle', () => {
    assert.deepEqual(validateConfig({}).accounts, {
      password_min_length: 12,
      login_throttle: {
        account_failures: 5,
        address_failures: 20,
        base_delay: 1,
        max_delay: 900,
        forget_after: 3600,
      },
    });
  });

  it('refuses a minimum length below 8', () => {
    assert.deepEqual(problemsOf({ accounts: { password_min_length: 6 } }), [
      { key: 'accounts.password_min_length', message: 'must be >= 8' },
    ]);
  });

  it('refuses a max_delay below base_delay', () => {
    assert.deepEqual(problemsOf({ accounts: { login_throttle: { base_delay: 60, max_delay: 30 } } }), [
      { key: 'accounts.login_throttle.max_delay', message: 'must be at least base_delay' },
    ]);
  });

  it('refuses a forget_after below max_delay', () => {
    assert.deepEqual(problemsOf({ accounts: { login_throttle: { forget_after: 600 } } }), [
      {
        key: 'accounts.login_throttle.forget_after',
        message: 'must be at least max_delay, or a count would be forgotten while its wait still runs',
      },
    ]);
  });

  it('names a misspelt key', () => {
    assert.deepEqual(problemsOf({ accounts: { login_throttle: { max_failures: 3 } } }), [
      {
        key: 'accounts.login_throttle.max_failures',
        message: 'unknown key (check the spelling; see docs/configuration.md)',
      },
    ]);
  });
});

describe('users', () => {
  it('accepts a full entry and fills in the defaults', () => {
    const config = validateConfig(
      withUsers(
        {
          username: 'alice',
          email: 'alice@example.com',
          email_verified: true,
          name: 'Alice Liddell',
          roles: ['admin'],
          groups: ['ops'],
          password: PASSWORD,
        },
        { username: 'bob', password_hash: HASH, disabled: true },
        { username: 'carol' },
      ),
    );
    assert.deepEqual(config.users[1], {
      username: 'bob',
      password_hash: HASH,
      disabled: true,
      email_verified: false,
      roles: [],
      groups: [],
    });
    assert.deepEqual(config.users[2], {
      username: 'carol',
      disabled: false,
      email_verified: false,
      roles: [],
      groups: [],
    });
  });

  it('names a username that breaks the rules', () => {
    for (const username of ['alice smith', 'bob@example.com', '.hidden', 'zoë']) {
      assert.deepEqual(problemsOf(withUsers({ username })), [
        {
          key: 'users[0].username',
          message:
            "must be 1-64 characters: ASCII letters, digits, '.', '_' or '-', starting with a letter or digit",
        },
      ]);
    }
  });

  it('refuses a missing or too long username', () => {
    assert.deepEqual(problemsOf(withUsers({ email: 'a@example.com' })), [
      { key: 'users[0]', message: "missing required key 'username'" },
    ]);
    assert.deepEqual(problemsOf(withUsers({ username: 'a'.repeat(65) })), [
      { key: 'users[0].username', message: 'must not have more than 64 characters' },
    ]);
  });

  it('refuses the same username twice, in any case', () => {
    assert.deepEqual(problemsOf(withUsers({ username: 'alice' }, { username: 'Alice' })), [
      {
        key: 'users[1].username',
        message: "duplicate username 'Alice' (usernames are compared regardless of case)",
      },
    ]);
  });

  it('refuses an email that is not one, and the same email twice in any case', () => {
    assert.deepEqual(problemsOf(withUsers({ username: 'alice', email: 'alice at example' })), [
      { key: 'users[0].email', message: "must be an email address like 'name@example.com'" },
    ]);
    assert.deepEqual(
      problemsOf(
        withUsers({ username: 'a', email: 'x@example.com' }, { username: 'b', email: 'X@Example.com' }),
      ),
      [
        {
          key: 'users[1].email',
          message: "duplicate email 'X@Example.com' (emails are compared regardless of case)",
        },
      ],
    );
  });

  it('refuses email_verified without an email', () => {
    assert.deepEqual(problemsOf(withUsers({ username: 'alice', email_verified: true })), [
      { key: 'users[0].email_verified', message: 'needs an email' },
    ]);
  });

  it('refuses a blank name and role or group names with spaces', () => {
    assert.deepEqual(
      problemsOf(withUsers({ username: 'alice', name: '  ', roles: ['ok', 'not ok'], groups: [''] })),
      [{ key: 'users[0].groups[0]', message: 'must not have fewer than 1 characters' }],
    );
    assert.deepEqual(problemsOf(withUsers({ username: 'alice', name: '  ', roles: ['ok', 'not ok'] })), [
      { key: 'users[0].name', message: 'must not be empty' },
      { key: 'users[0].roles[1]', message: 'must be 1-100 visible ASCII characters without spaces' },
    ]);
  });

  it('refuses a password shorter than accounts.password_min_length, without repeating it', () => {
    const { problems, text } = rejection(withUsers({ username: 'alice', password: 'short-pw' }));
    assert.deepEqual(problems, [{ key: 'users[0].password', message: 'must be at least 12 characters' }]);
    assert.ok(!text.includes('short-pw'));
    assert.deepEqual(
      problemsOf({
        accounts: { password_min_length: 30 },
        ...withUsers({ username: 'alice', password: PASSWORD }),
      }),
      [{ key: 'users[0].password', message: 'must be at least 30 characters' }],
    );
  });

  it('refuses a whitespace-only or over-long password', () => {
    assert.deepEqual(problemsOf(withUsers({ username: 'alice', password: ' '.repeat(20) })), [
      { key: 'users[0].password', message: 'must not be empty or only whitespace' },
    ]);
    assert.deepEqual(problemsOf(withUsers({ username: 'alice', password: 'x'.repeat(1025) })), [
      { key: 'users[0].password', message: 'must not have more than 1024 characters' },
    ]);
  });

  it('refuses a password_hash that is not argon2id, without repeating it', () => {
    const bcrypt = '$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234';
    const { problems, text } = rejection(withUsers({ username: 'alice', password_hash: bcrypt }));
    assert.deepEqual(problems, [
      {
        key: 'users[0].password_hash',
        message: 'must be an argon2id hash in PHC string form ($argon2id$v=19$m=…,t=…,p=…$salt$hash)',
      },
    ]);
    assert.ok(!text.includes(bcrypt));
  });

  it('refuses both password and password_hash', () => {
    assert.deepEqual(problemsOf(withUsers({ username: 'alice', password: PASSWORD, password_hash: HASH })), [
      { key: 'users[0].password_hash', message: 'give password or password_hash, not both' },
    ]);
  });

  it('names an unknown key of a user', () => {
    assert.deepEqual(problemsOf(withUsers({ username: 'alice', pasword: PASSWORD })), [
      { key: 'users[0].pasword', message: 'unknown key (check the spelling; see docs/configuration.md)' },
    ]);
  });
});
