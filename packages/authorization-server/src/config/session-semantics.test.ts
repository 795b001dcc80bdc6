import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './config-error.js';
import { validateConfig } from './load.js';

function problemsOf(document: Record<string, unknown>): { key: string; message: string }[] {
  try {
    validateConfig(document);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

describe('sessions', () => {
  it('defaults to 30 minutes idle, 12 hours absolute and no limit per user', () => {
    assert.deepEqual(validateConfig({}).sessions, {
      idle_timeout: 1800,
      absolute_timeout: 43_200,
      max_per_user: 0,
    });
  });

  it('accepts a limit of one session per user and equal timeouts', () => {
    const { sessions } = validateConfig({
      sessions: { idle_timeout: 600, absolute_timeout: 600, max_per_user: 1 },
    });
    assert.deepEqual(sessions, { idle_timeout: 600, absolute_timeout: 600, max_per_user: 1 });
  });

  it('refuses an absolute_timeout below idle_timeout, naming the key', () => {
    assert.deepEqual(problemsOf({ sessions: { idle_timeout: 3600, absolute_timeout: 1800 } }), [
      {
        key: 'sessions.absolute_timeout',
        message: 'must be at least idle_timeout (3600), or no session could ever reach its idle timeout',
      },
    ]);
  });

  it('refuses a negative or fractional max_per_user', () => {
    assert.deepEqual(problemsOf({ sessions: { max_per_user: -1 } }), [
      { key: 'sessions.max_per_user', message: 'must be >= 0' },
    ]);
    assert.equal(problemsOf({ sessions: { max_per_user: 1.5 } })[0]?.key, 'sessions.max_per_user');
  });

  it('refuses a zero idle_timeout', () => {
    assert.deepEqual(problemsOf({ sessions: { idle_timeout: 0 } }), [
      { key: 'sessions.idle_timeout', message: 'must be >= 1' },
    ]);
  });

  it('does not let the cookie name be configured', () => {
    assert.deepEqual(problemsOf({ sessions: { cookie_name: 'sid' } }), [
      { key: 'sessions.cookie_name', message: 'unknown key (check the spelling; see docs/configuration.md)' },
    ]);
  });
});

describe('refresh-token lifetimes', () => {
  it('default to 14 days idle and 30 days absolute, with 5-minute ID tokens', () => {
    const { tokens } = validateConfig({});
    assert.equal(tokens.refresh_token_idle_lifetime, 1_209_600);
    assert.equal(tokens.refresh_token_absolute_lifetime, 2_592_000);
    assert.equal(tokens.id_token_lifetime, 300);
  });

  it('refuses an absolute lifetime below the idle one, naming the key', () => {
    assert.deepEqual(
      problemsOf({ tokens: { refresh_token_idle_lifetime: 3600, refresh_token_absolute_lifetime: 600 } }),
      [
        {
          key: 'tokens.refresh_token_absolute_lifetime',
          message:
            'must be at least refresh_token_idle_lifetime (3600), or no refresh token could reach its idle lifetime',
        },
      ],
    );
  });
});
