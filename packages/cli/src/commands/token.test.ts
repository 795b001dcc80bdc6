import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredLogin } from '../credentials/credentials-file.js';
import { fakeIssuer, ISSUER, idToken, sandboxesWithLogins } from './login.testing.js';

const NOW = Math.floor(Date.now() / 1000);

function storedLogin(overrides: Partial<StoredLogin> = {}): StoredLogin {
  return {
    issuer: ISSUER,
    clientId: 'gatehouse-cli',
    accessToken: 'at-old',
    tokenType: 'bearer',
    expiresAt: NOW + 20,
    refreshToken: 'rt-old',
    scope: 'openid offline_access',
    claims: { sub: 'u-1' },
    obtainedAt: NOW - 280,
    ...overrides,
  };
}

describe('gatehouse token', () => {
  const sandboxWith = sandboxesWithLogins();

  it('says to run gatehouse login when there is no login', async () => {
    const { code, out, err } = await sandboxWith([]).run('token');
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.match(err, /gatehouse token: not signed in; run 'gatehouse login'/);
  });

  it('prints the stored token, and only it, while it has more than 30 seconds left', async () => {
    const issuer = fakeIssuer();
    const sandbox = sandboxWith([storedLogin({ expiresAt: NOW + 120 })], { fetch: issuer.fetch });
    const { code, out } = await sandbox.run('token');
    assert.equal(code, 0);
    assert.equal(out, 'at-old\n');
    assert.equal(issuer.requests.length, 0, 'no request to the issuer');
  });

  it('refreshes a token with less than 30 seconds left and stores the rotated refresh token', async () => {
    const issuer = fakeIssuer({
      refresh: () => ({
        status: 200,
        body: {
          access_token: 'at-new',
          token_type: 'Bearer',
          expires_in: 300,
          refresh_token: 'rt-new',
          id_token: idToken({ sub: 'u-1' }),
        },
      }),
    });
    const sandbox = sandboxWith([storedLogin()], { fetch: issuer.fetch });
    const { code, out, err } = await sandbox.run('token');
    assert.equal(code, 0, err);
    assert.equal(out, 'at-new\n');
    const refresh = issuer.requests.find((r) => r.form?.get('grant_type') === 'refresh_token');
    assert.equal(refresh?.form?.get('refresh_token'), 'rt-old');
    assert.equal(refresh?.form?.get('client_id'), 'gatehouse-cli');
    const stored = sandbox.logins()[ISSUER]!;
    assert.equal(stored.refreshToken, 'rt-new');
    assert.equal(stored.scope, 'openid offline_access', 'kept when the response leaves scope out');
    assert.ok(stored.expiresAt! >= NOW + 300);
  });

  it('keeps the refresh token when the issuer does not rotate it', async () => {
    const issuer = fakeIssuer({
      refresh: () => ({
        status: 200,
        body: { access_token: 'at-new', token_type: 'Bearer', expires_in: 300 },
      }),
    });
    const sandbox = sandboxWith([storedLogin()], { fetch: issuer.fetch });
    assert.equal((await sandbox.run('token')).out, 'at-new\n');
    assert.equal(sandbox.logins()[ISSUER]?.refreshToken, 'rt-old');
    assert.deepEqual(sandbox.logins()[ISSUER]?.claims, { sub: 'u-1' });
  });

  it('refreshes once when several run at the same time', async () => {
    let refreshes = 0;
    const issuer = fakeIssuer({
      async refresh(form) {
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 30));
        if (form.get('refresh_token') !== 'rt-old') return { status: 400, body: { error: 'invalid_grant' } };
        return {
          status: 200,
          body: { access_token: 'at-new', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-new' },
        };
      },
    });
    const sandbox = sandboxWith([storedLogin()], { fetch: issuer.fetch });
    const runs = await Promise.all([sandbox.run('token'), sandbox.run('token'), sandbox.run('token')]);
    assert.deepEqual(
      runs.map((r) => [r.code, r.out]),
      [
        [0, 'at-new\n'],
        [0, 'at-new\n'],
        [0, 'at-new\n'],
      ],
    );
    assert.equal(refreshes, 1);
  });

  it('says to sign in again when the refresh token is refused (invalid_grant)', async () => {
    const issuer = fakeIssuer({
      refresh: () => ({
        status: 400,
        body: { error: 'invalid_grant', error_description: 'refresh token expired' },
      }),
    });
    const sandbox = sandboxWith([storedLogin()], { fetch: issuer.fetch });
    const { code, out, err } = await sandbox.run('token');
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.match(
      err,
      /the sign-in at https:\/\/id\.example\.test has ended \(refresh token expired\); run 'gatehouse login' to sign in again/,
    );
  });

  it('says to sign in again when the token expired and there is no refresh token', async () => {
    const sandbox = sandboxWith([storedLogin({ refreshToken: undefined, expiresAt: NOW - 5 })]);
    const { code, err } = await sandbox.run('token');
    assert.equal(code, 1);
    assert.match(
      err,
      /has ended \(the access token has expired and there is no refresh token\); run 'gatehouse login'/,
    );
  });

  it('names the cause when the issuer cannot be reached, and keeps the stored tokens', async () => {
    const issuer = fakeIssuer({
      refresh: () => new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }),
    });
    const sandbox = sandboxWith([storedLogin()], { fetch: issuer.fetch });
    const { code, err } = await sandbox.run('token');
    assert.equal(code, 1);
    assert.match(
      err,
      /could not refresh the access token at https:\/\/id\.example\.test: fetch failed: connect ECONNREFUSED/,
    );
    assert.equal(sandbox.logins()[ISSUER]?.refreshToken, 'rt-old');
  });

  it('refuses a refreshed ID token for another subject (OIDC Core §12.2)', async () => {
    const issuer = fakeIssuer({
      refresh: () => ({
        status: 200,
        body: { access_token: 'at-new', token_type: 'Bearer', id_token: idToken({ sub: 'u-2' }) },
      }),
    });
    const sandbox = sandboxWith([storedLogin()], { fetch: issuer.fetch });
    const { code, err } = await sandbox.run('token');
    assert.equal(code, 1);
    assert.match(err, /answered the refresh for another subject/);
  });

  it('needs --issuer to choose between several logins, unless the local config names one', async () => {
    const other = 'https://other.example.test';
    const sandbox = sandboxWith([
      storedLogin({ expiresAt: NOW + 600 }),
      storedLogin({ issuer: other, accessToken: 'at-other', expiresAt: NOW + 600 }),
    ]);
    const ambiguous = await sandbox.run('token');
    assert.equal(ambiguous.code, 2);
    assert.match(
      ambiguous.err,
      /signed in at several issuers \(https:\/\/id\.example\.test, https:\/\/other\.example\.test\); choose one with --issuer/,
    );
    assert.equal((await sandbox.run('token', '--issuer', `${other}/`)).out, 'at-other\n');
    sandbox.env['GATEHOUSE_ISSUER'] = ISSUER;
    assert.equal((await sandbox.run('token')).out, 'at-old\n');
    const missing = await sandbox.run('token', '--issuer', 'https://nowhere.example.test');
    assert.equal(missing.code, 1);
    assert.match(
      missing.err,
      /not signed in at https:\/\/nowhere\.example\.test; run 'gatehouse login --issuer https:\/\/nowhere\.example\.test'/,
    );
  });
});
