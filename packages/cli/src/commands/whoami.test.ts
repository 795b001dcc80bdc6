import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredLogin } from '../credentials/credentials-file.js';
import { fakeIssuer, ISSUER, sandboxesWithLogins } from './login.testing.js';

const NOW = Math.floor(Date.now() / 1000);

function storedLogin(overrides: Partial<StoredLogin> = {}): StoredLogin {
  return {
    issuer: ISSUER,
    clientId: 'gatehouse-cli',
    accessToken: 'at-secret',
    tokenType: 'bearer',
    expiresAt: NOW + 1800,
    refreshToken: 'rt-secret',
    scope: 'openid profile email offline_access',
    claims: { sub: 'u-1', name: 'Ann Example', email: 'ann@example.test' },
    obtainedAt: NOW,
    ...overrides,
  };
}

describe('gatehouse whoami', () => {
  const sandboxWith = sandboxesWithLogins();

  it('shows issuer, subject, name, email, scopes and expiry from the ID token, and no token', async () => {
    const issuer = fakeIssuer();
    const { code, out } = await sandboxWith(storedLogin(), { fetch: issuer.fetch }).run('whoami');
    assert.equal(code, 0);
    assert.match(out, /^issuer: +https:\/\/id\.example\.test$/m);
    assert.match(out, /^subject: +u-1$/m);
    assert.match(out, /^name: +Ann Example$/m);
    assert.match(out, /^email: +ann@example\.test$/m);
    assert.match(out, /^scopes: +openid profile email offline_access$/m);
    assert.match(out, /^access token expires: +\S+Z \(in 30 min\)$/m);
    assert.match(out, /^refresh token: +yes/m);
    assert.doesNotMatch(out, /at-secret|rt-secret/);
    assert.equal(issuer.requests.length, 0, 'the ID token said it all');
  });

  it('asks UserInfo when the ID token names nobody, checking the subject', async () => {
    const issuer = fakeIssuer({ userinfo: { status: 200, body: { sub: 'u-1', name: 'Ann From UserInfo' } } });
    const sandbox = sandboxWith(storedLogin({ claims: { sub: 'u-1' } }), { fetch: issuer.fetch });
    const { code, out } = await sandbox.run('whoami');
    assert.equal(code, 0);
    assert.match(out, /^name: +Ann From UserInfo$/m);
    assert.equal(issuer.requests.at(-1)?.authorization, 'Bearer at-secret');
  });

  it('shows what it has, with a note, when UserInfo answers for another subject', async () => {
    const issuer = fakeIssuer({ userinfo: { status: 200, body: { sub: 'someone-else', name: 'Mallory' } } });
    const { code, out, err } = await sandboxWith(storedLogin({ claims: { sub: 'u-1' } }), {
      fetch: issuer.fetch,
    }).run('whoami');
    assert.equal(code, 0);
    assert.doesNotMatch(out, /Mallory/);
    assert.match(err, /note: UserInfo not read: .*sub/);
  });

  it('prints JSON without tokens for scripts', async () => {
    const { code, out } = await sandboxWith(storedLogin()).run('whoami', '--json');
    assert.equal(code, 0);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    assert.equal(parsed['subject'], 'u-1');
    assert.equal(parsed['refresh_token'], true);
    assert.doesNotMatch(out, /at-secret|rt-secret/);
  });
});
