import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateCsrfBinding, issueCsrfToken, verifyCsrfToken } from './csrf.js';

const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(8);
const T0 = 1_767_225_600;
const BINDING = generateCsrfBinding();
const PURPOSE = 'login:interaction-1';

function issue(overrides: Partial<Parameters<typeof issueCsrfToken>[0]> = {}): string {
  return issueCsrfToken({ key: KEY, binding: BINDING, purpose: PURPOSE, now: T0, ttl: 600, ...overrides });
}

function verify(token: string | undefined, overrides: Partial<Parameters<typeof verifyCsrfToken>[0]> = {}) {
  return verifyCsrfToken({ key: KEY, binding: BINDING, purpose: PURPOSE, now: T0 + 1, token, ...overrides });
}

describe('CSRF tokens', () => {
  it('accepts a token for the same browser, purpose and key before it expires', () => {
    const token = issue();
    assert.match(token, /^v1\.1767226200\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(verify(token), { ok: true });
    assert.deepEqual(verify(token, { now: T0 + 599 }), { ok: true });
  });

  it('refuses a token from another browser (binding), form (purpose) or key', () => {
    const token = issue();
    assert.deepEqual(verify(token, { binding: generateCsrfBinding() }), {
      ok: false,
      reason: 'signature_mismatch',
    });
    assert.deepEqual(verify(token, { purpose: 'consent:interaction-1' }), {
      ok: false,
      reason: 'signature_mismatch',
    });
    assert.deepEqual(verify(token, { key: OTHER_KEY }), { ok: false, reason: 'signature_mismatch' });
  });

  it('refuses an expired token, at the second it expires', () => {
    assert.deepEqual(verify(issue(), { now: T0 + 600 }), { ok: false, reason: 'expired' });
  });

  it('refuses a token whose expiry was pushed forward', () => {
    const [, , mac] = issue().split('.');
    assert.deepEqual(verify(`v1.${T0 + 99_999}.${mac}`, { now: T0 + 700 }), {
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('names the reason when the token or the binding cookie is missing, or the token is malformed', () => {
    assert.deepEqual(verify(undefined), { ok: false, reason: 'missing_token' });
    assert.deepEqual(verify(''), { ok: false, reason: 'missing_token' });
    assert.deepEqual(verify(issue(), { binding: undefined }), { ok: false, reason: 'missing_binding' });
    for (const bad of ['v2.1.abc', 'v1.x.abc', `${issue()}x`, 'v1.1767226200', '<script>']) {
      assert.deepEqual(verify(bad), { ok: false, reason: 'malformed_token' }, bad);
    }
  });

  it('refuses, without throwing, a purpose with NUL: it names a posted field no token was issued for', () => {
    assert.deepEqual(verify(issue(), { purpose: 'login:a\0b' }), { ok: false, reason: 'malformed_purpose' });
    assert.throws(() => verify(issue(), { purpose: '' }), /purpose must be non-empty/);
  });

  it('refuses to issue with a short key, an empty binding or a non-positive ttl', () => {
    assert.throws(() => issue({ key: new Uint8Array(16) }), /at least 32 bytes/);
    assert.throws(() => issue({ binding: '' }), /binding must be non-empty/);
    assert.throws(() => issue({ purpose: 'a\0b' }), /purpose must be non-empty text without NUL/);
    assert.throws(() => issue({ ttl: 0 }), /ttl must be a positive/);
  });

  it('generates 256-bit random bindings', () => {
    const binding = generateCsrfBinding();
    assert.match(binding, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(binding, generateCsrfBinding());
  });
});
