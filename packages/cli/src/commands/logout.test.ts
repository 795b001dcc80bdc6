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
    scope: 'openid offline_access',
    obtainedAt: NOW,
    ...overrides,
  };
}

describe('gatehouse logout', () => {
  const sandboxWith = sandboxesWithLogins();

  it('revokes the refresh token as a public client (RFC 7009 §2.1) and deletes the login', async () => {
    const issuer = fakeIssuer();
    const sandbox = sandboxWith(storedLogin(), { fetch: issuer.fetch });
    const { code, out } = await sandbox.run('logout');
    assert.equal(code, 0);
    assert.match(
      out,
      /Signed out of https:\/\/id\.example\.test: the refresh token is revoked and the stored tokens are deleted\./,
    );
    const revocation = issuer.requests.find((r) => r.url === `${ISSUER}/revoke`);
    assert.equal(revocation?.form?.get('token'), 'rt-secret');
    assert.equal(revocation?.form?.get('token_type_hint'), 'refresh_token');
    assert.equal(revocation?.form?.get('client_id'), 'gatehouse-cli');
    assert.deepEqual(sandbox.logins(), {});
  });

  it('revokes the access token when there is no refresh token', async () => {
    const issuer = fakeIssuer();
    const sandbox = sandboxWith(storedLogin({ refreshToken: undefined }), { fetch: issuer.fetch });
    assert.equal((await sandbox.run('logout')).code, 0);
    const revocation = issuer.requests.find((r) => r.url === `${ISSUER}/revoke`);
    assert.equal(revocation?.form?.get('token'), 'at-secret');
    assert.equal(revocation?.form?.get('token_type_hint'), 'access_token');
  });

  it('deletes the login and notes it when the issuer has no revocation endpoint', async () => {
    const issuer = fakeIssuer({ metadata: { revocation_endpoint: undefined } });
    const sandbox = sandboxWith(storedLogin(), { fetch: issuer.fetch });
    const { code, err } = await sandbox.run('logout');
    assert.equal(code, 0);
    assert.match(
      err,
      /note: the issuer does not advertise a revocation_endpoint, so the tokens stay valid there until they expire/,
    );
    assert.deepEqual(sandbox.logins(), {});
  });

  it('deletes the login but exits 1 when the revocation fails', async () => {
    const issuer = fakeIssuer({ revocation: { status: 503, body: {} } });
    const sandbox = sandboxWith(storedLogin(), { fetch: issuer.fetch });
    const { code, err } = await sandbox.run('logout');
    assert.equal(code, 1);
    assert.match(
      err,
      /could not revoke the refresh token at https:\/\/id\.example\.test \(.*HTTP 503\); the stored tokens are deleted, but stay valid/,
    );
    assert.deepEqual(sandbox.logins(), {});
  });

  it('deletes the login but exits 1 when the issuer cannot be reached', async () => {
    const issuer = fakeIssuer({
      missing: ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'],
    });
    const sandbox = sandboxWith(storedLogin(), { fetch: issuer.fetch });
    const { code, err } = await sandbox.run('logout');
    assert.equal(code, 1);
    assert.match(err, /could not revoke the refresh token .*could not read the metadata/);
    assert.deepEqual(sandbox.logins(), {});
  });

  it('says there is nothing to do without a login', async () => {
    const { code, err } = await sandboxWith([]).run('logout');
    assert.equal(code, 1);
    assert.match(err, /not signed in; run 'gatehouse login'/);
  });
});
