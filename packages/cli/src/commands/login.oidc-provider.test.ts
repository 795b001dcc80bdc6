/**
 * `gatehouse login`, `whoami`, `token` and `logout` against another project's issuer:
 * node-oidc-provider with its device flow, listening on a loopback port. The person's approval
 * is written into the provider's device code record, as its verification page would.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLoginSandbox, shownUserCode } from './login.testing.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface DeviceCodeModel {
  accountId?: string;
  grantId?: string;
  authTime?: number;
  scope?: string;
  params?: { scope?: string };
  error?: string;
  errorDescription?: string;
  save(): Promise<unknown>;
}
interface GrantModel {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface ProviderInstance {
  callback(): RequestListener;
  DeviceCode: { findByUserCode(code: string): Promise<DeviceCodeModel | undefined> };
  Grant: new (init: { accountId: string; clientId: string }) => GrantModel;
}

/** oidc-provider ships no types; load it untyped and name only what this test touches. */
async function startProvider(): Promise<{ url: string; provider: ProviderInstance; server: Server }> {
  const { default: Provider } = (await import('oidc-provider' as string)) as {
    default: new (issuer: string, config: Record<string, unknown>) => ProviderInstance;
  };
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(url, {
    clients: [
      {
        client_id: 'gatehouse-cli',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_GRANT, 'refresh_token'],
        response_types: [],
        redirect_uris: [],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...key, alg: 'ES256', use: 'sig', kid: 'test' }] },
    cookies: { keys: ['a-cookie-key-for-tests-only-0123456789'] },
    features: {
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      devInteractions: { enabled: false },
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    // ID tokens carry the profile claims, so whoami needs no UserInfo call.
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, name: 'Alice Example', email: 'alice@example.test' }),
    }),
    rotateRefreshToken: true,
    ttl: { AccessToken: 3600, DeviceCode: 600, Grant: 86_400, IdToken: 3600, RefreshToken: 86_400 },
  });
  server.on('request', provider.callback());
  return { url, provider, server };
}

/** What the provider's verification page does when the person approves (or denies). */
async function decide(
  provider: ProviderInstance,
  userCode: string,
  decision: 'approve' | 'deny',
): Promise<void> {
  const code = await provider.DeviceCode.findByUserCode(userCode.replace(/\W/g, '').toUpperCase());
  assert.ok(code, `no device code for ${userCode}`);
  if (decision === 'deny') {
    code.error = 'access_denied';
    code.errorDescription = 'End-User aborted interaction';
  } else {
    // The person grants every scope the device asked for.
    const scope = code.params?.scope ?? 'openid';
    const grant = new provider.Grant({ accountId: 'alice', clientId: 'gatehouse-cli' });
    grant.addOIDCScope(scope);
    code.scope = scope;
    code.grantId = await grant.save();
    code.accountId = 'alice';
    code.authTime = Math.floor(Date.now() / 1000);
  }
  await code.save();
}

describe('gatehouse login against node-oidc-provider (device flow)', () => {
  let issuer: Awaited<ReturnType<typeof startProvider>>;
  before(async () => {
    issuer = await startProvider();
  });
  after(() => issuer?.server.close());

  /** A sandbox whose person approves (or denies) the code once it is on screen. */
  function sandboxDeciding(decision: 'approve' | 'deny') {
    let decided = false;
    return createLoginSandbox({
      async onWait(out) {
        const userCode = shownUserCode(out);
        if (decided || userCode === undefined) return;
        decided = true;
        await decide(issuer.provider, userCode, decision);
      },
    });
  }

  it('signs in, shows who, prints and refreshes the token, and signs out with revocation', async () => {
    const sandbox = sandboxDeciding('approve');
    try {
      const login = await sandbox.run('login', '--issuer', issuer.url);
      assert.equal(login.code, 0, login.err);
      assert.match(login.out, new RegExp(`open this page in a browser:\\n\\n {4}${issuer.url}/device\\n`));
      assert.match(login.out, /Approve only if the page shows the code [B-Z]{4}-[B-Z]{4}\./);
      assert.match(login.out, new RegExp(`Signed in at ${issuer.url} as Alice Example\\.`));
      assert.deepEqual(sandbox.state.opened, [], 'no browser without a terminal');
      const stored = sandbox.logins()[issuer.url];
      assert.ok(stored?.refreshToken);
      // Tokens reach the disk, never the screen.
      assert.ok(!login.out.includes(stored.accessToken) && !login.err.includes(stored.accessToken));
      assert.ok(!login.out.includes(stored.refreshToken));

      const whoami = await sandbox.run('whoami');
      assert.equal(whoami.code, 0, whoami.err);
      assert.match(whoami.out, new RegExp(`^issuer: +${issuer.url}$`, 'm'));
      assert.match(whoami.out, /^subject: +alice$/m);
      assert.match(whoami.out, /^name: +Alice Example$/m);
      assert.match(whoami.out, /^email: +alice@example\.test$/m);
      assert.match(whoami.out, /^scopes: +.*offline_access/m);
      assert.match(whoami.out, /^access token expires: +\d{4}-\d\d-\d\dT[\d:]+Z \(in \d+ min\)$/m);
      assert.ok(!whoami.out.includes(stored.accessToken));

      const token = await sandbox.run('token');
      assert.equal(token.code, 0, token.err);
      assert.equal(token.out, `${stored.accessToken}\n`);
      const userinfo = await fetch(`${issuer.url}/me`, {
        headers: { authorization: `Bearer ${token.out.trim()}` },
      });
      assert.equal(userinfo.status, 200);

      // Two hours on, the access token has expired: `token` refreshes and rotates.
      sandbox.state.clockOffsetMs = 2 * 3600_000;
      const refreshed = await sandbox.run('token');
      assert.equal(refreshed.code, 0, refreshed.err);
      const after = sandbox.logins()[issuer.url];
      assert.ok(after?.refreshToken);
      assert.equal(refreshed.out, `${after.accessToken}\n`);
      assert.notEqual(after.accessToken, stored.accessToken);
      assert.notEqual(after.refreshToken, stored.refreshToken, 'the rotated refresh token is stored');
      assert.equal(after.claims?.['sub'], 'alice');
      // Within its lifetime the refreshed token is printed as is.
      assert.equal((await sandbox.run('token')).out, `${after.accessToken}\n`);

      const logout = await sandbox.run('logout');
      assert.equal(logout.code, 0, logout.err);
      assert.match(logout.out, new RegExp(`Signed out of ${issuer.url}: the refresh token is revoked`));
      assert.deepEqual(sandbox.logins(), {});
      const reuse = await fetch(`${issuer.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: after.refreshToken,
          client_id: 'gatehouse-cli',
        }),
      });
      assert.equal(reuse.status, 400);
      assert.equal(((await reuse.json()) as { error: string }).error, 'invalid_grant');

      const afterLogout = await sandbox.run('token');
      assert.equal(afterLogout.code, 1);
      assert.match(afterLogout.err, /not signed in; run 'gatehouse login'/);
    } finally {
      sandbox.cleanup();
    }
  });

  it('ends with a clear message and exit 1 when the person denies', async () => {
    const sandbox = sandboxDeciding('deny');
    try {
      const { code, err } = await sandbox.run('login', '--issuer', issuer.url, '--no-browser');
      assert.equal(code, 1);
      assert.match(err, /gatehouse login: the sign-in request was denied at the verification page/);
      assert.deepEqual(sandbox.logins(), {});
    } finally {
      sandbox.cleanup();
    }
  });

  it('says to sign in again when the refresh token no longer works', async () => {
    const sandbox = sandboxDeciding('approve');
    try {
      assert.equal((await sandbox.run('login', '--issuer', issuer.url)).code, 0);
      const stored = sandbox.logins()[issuer.url]!;
      const revoked = await fetch(`${issuer.url}/token/revocation`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: stored.refreshToken!, client_id: 'gatehouse-cli' }),
      });
      assert.equal(revoked.status, 200);
      sandbox.state.clockOffsetMs = 2 * 3600_000;
      const { code, out, err } = await sandbox.run('token');
      assert.equal(code, 1);
      assert.equal(out, '');
      assert.match(
        err,
        new RegExp(`the sign-in at ${issuer.url} has ended .*; run 'gatehouse login' to sign in again`),
      );
    } finally {
      sandbox.cleanup();
    }
  });
});
