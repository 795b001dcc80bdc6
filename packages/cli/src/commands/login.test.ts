import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { saveLogin } from '../credentials/credentials-file.js';
import {
  createLoginSandbox,
  fakeIssuer,
  ISSUER,
  idToken,
  type LoginSandboxOptions,
} from './login.testing.js';

describe('gatehouse login', () => {
  const sandboxes: ReturnType<typeof createLoginSandbox>[] = [];
  afterEach(() => {
    for (const sandbox of sandboxes.splice(0)) sandbox.cleanup();
  });
  const sandboxFor = (options: LoginSandboxOptions = {}) => {
    const sandbox = createLoginSandbox(options);
    sandboxes.push(sandbox);
    return sandbox;
  };

  it('refuses an unexpected argument with exit 2', async () => {
    const { code, err } = await sandboxFor().run('login', 'https://id.example.test');
    assert.equal(code, 2);
    assert.match(err, /unexpected argument 'https:\/\/id\.example\.test'\nRun 'gatehouse login --help'/);
  });

  it('says how to name an issuer when there is none', async () => {
    const { code, err } = await sandboxFor().run('login');
    assert.equal(code, 2);
    assert.match(err, /no issuer: pass --issuer URL or set GATEHOUSE_ISSUER/);
  });

  it('refuses plain http except on loopback, and an issuer with a query', async () => {
    const sandbox = sandboxFor();
    const http = await sandbox.run('login', '--issuer', 'http://id.example.test');
    assert.equal(http.code, 2);
    assert.match(http.err, /must use https \(plain http is accepted only for localhost/);
    const query = await sandbox.run('login', '--issuer', 'https://id.example.test/?tenant=a');
    assert.equal(query.code, 2);
    assert.match(query.err, /must not have a query or fragment \(RFC 8414 §2\)/);
    const empty = await sandbox.run('login', '--issuer', ISSUER, '--scope', '  ');
    assert.equal(empty.code, 2);
    assert.match(empty.err, /--scope must name at least one scope/);
  });

  it('takes the issuer from GATEHOUSE_ISSUER, else from the local gatehouse.yaml', async () => {
    const issuer = fakeIssuer({
      missing: ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'],
    });
    const sandbox = sandboxFor({ fetch: issuer.fetch });
    writeFileSync(join(sandbox.cwd, 'gatehouse.yaml'), 'issuer: https://local.example.test\n');
    const local = await sandbox.run('login');
    assert.equal(local.code, 1);
    assert.match(
      local.err,
      /could not read the metadata of https:\/\/local\.example\.test \(.*HTTP 404.*\); check the issuer URL/,
    );
    sandbox.env['GATEHOUSE_ISSUER'] = 'https://env.example.test';
    await sandbox.run('login');
    assert.equal(
      issuer.requests.at(-1)?.url,
      'https://env.example.test/.well-known/oauth-authorization-server',
    );
  });

  it('falls back to RFC 8414 metadata when there is no OpenID configuration', async () => {
    const issuer = fakeIssuer({ missing: ['/.well-known/openid-configuration'] });
    const { code, err } = await sandboxFor({ fetch: issuer.fetch }).run('login', '--issuer', ISSUER);
    assert.equal(code, 0, err);
    assert.deepEqual(
      issuer.requests.slice(0, 2).map((r) => r.url),
      [`${ISSUER}/.well-known/openid-configuration`, `${ISSUER}/.well-known/oauth-authorization-server`],
    );
  });

  it('says so when the issuer does not offer the device grant', async () => {
    const issuer = fakeIssuer({ metadata: { device_authorization_endpoint: undefined } });
    const { code, err } = await sandboxFor({ fetch: issuer.fetch }).run('login', '--issuer', ISSUER);
    assert.equal(code, 1);
    assert.match(
      err,
      /does not offer the device authorization grant: its metadata has no device_authorization_endpoint/,
    );
  });

  it('explains the client the issuer needs when it refuses this one', async () => {
    const issuer = fakeIssuer({
      deviceAuthorization: { status: 400, body: { error: 'unauthorized_client' } },
    });
    const { code, err } = await sandboxFor({ fetch: issuer.fetch }).run('login', '--issuer', ISSUER);
    assert.equal(code, 1);
    assert.match(
      err,
      /needs a public client 'gatehouse-cli' \(token_endpoint_auth_method: none\) allowed the device_code grant, or pass --client-id/,
    );
  });

  it('asks as a public client for the scopes given, and stores what it got', async () => {
    const issuer = fakeIssuer({
      token: [
        { status: 400, body: { error: 'authorization_pending' } },
        {
          status: 200,
          body: {
            access_token: 'at-1',
            token_type: 'Bearer',
            expires_in: 300,
            refresh_token: 'rt-1',
            scope: 'openid orders:read',
            id_token: idToken({ sub: 'u-1', aud: 'my-cli', email: 'ann@example.test' }),
          },
        },
      ],
    });
    const sandbox = sandboxFor({ fetch: issuer.fetch });
    const { code, out, err } = await sandbox.run(
      'login',
      '--issuer',
      ISSUER,
      '--client-id',
      'my-cli',
      '--scope',
      'openid  orders:read',
    );
    assert.equal(code, 0, err);
    const deviceRequest = issuer.requests.find((r) => r.url.endsWith('/device_authorization'));
    assert.equal(deviceRequest?.form?.get('client_id'), 'my-cli');
    assert.equal(deviceRequest?.form?.get('scope'), 'openid orders:read');
    // ES256 though the metadata lists no id_token_signing_alg_values_supported.
    assert.match(out, /Signed in at https:\/\/id\.example\.test as ann@example\.test\./);
    const stored = sandbox.logins()[ISSUER];
    assert.equal(stored?.clientId, 'my-cli');
    assert.equal(stored?.refreshToken, 'rt-1');
    assert.equal(stored?.claims?.['sub'], 'u-1');
    assert.ok(!out.includes('at-1') && !err.includes('at-1'), 'the token is never shown');
  });

  it('refuses an ID token issued for another client', async () => {
    const issuer = fakeIssuer({
      token: [
        {
          status: 200,
          body: { access_token: 'at', token_type: 'Bearer', id_token: idToken({ sub: 'u', aud: 'other' }) },
        },
      ],
    });
    const sandbox = sandboxFor({ fetch: issuer.fetch });
    const { code, err } = await sandbox.run('login', '--issuer', ISSUER);
    assert.equal(code, 1);
    assert.match(
      err,
      /gatehouse login: the token response of https:\/\/id\.example\.test is not valid: unexpected JWT "aud"/,
    );
    assert.deepEqual(sandbox.logins(), {});
  });

  it('refuses a token response without an access token, without polling on', async () => {
    const issuer = fakeIssuer({ token: [{ status: 200, body: { token_type: 'Bearer' } }] });
    const sandbox = sandboxFor({ fetch: issuer.fetch });
    const { code, err } = await sandbox.run('login', '--issuer', ISSUER);
    assert.equal(code, 1);
    assert.match(err, /the token response of https:\/\/id\.example\.test is not valid: .*access_token/);
    assert.equal(issuer.requests.filter((r) => r.url.endsWith('/token')).length, 1);
    assert.deepEqual(sandbox.logins(), {});
  });

  it('refuses to start when the credentials file is damaged, before any request', async () => {
    const issuer = fakeIssuer();
    const sandbox = sandboxFor({ fetch: issuer.fetch });
    writeFileSync(join(sandbox.home, 'credentials.json'), 'not json');
    const { code, err } = await sandbox.run('login', '--issuer', ISSUER);
    assert.equal(code, 1);
    assert.match(
      err,
      /credentials\.json is not a Gatehouse credentials file; delete it and run 'gatehouse login' again/,
    );
    assert.equal(issuer.requests.length, 0);
  });

  it('revokes the refresh token of the login it replaces', async () => {
    const issuer = fakeIssuer({
      token: [{ status: 200, body: { access_token: 'at-2', token_type: 'Bearer', refresh_token: 'rt-2' } }],
    });
    const sandbox = sandboxFor({ fetch: issuer.fetch });
    saveLogin(sandbox.home, {
      issuer: ISSUER,
      clientId: 'gatehouse-cli',
      accessToken: 'at-1',
      tokenType: 'bearer',
      refreshToken: 'rt-1',
      scope: 'openid',
      obtainedAt: 0,
    });
    const { code } = await sandbox.run('login', '--issuer', ISSUER);
    assert.equal(code, 0);
    assert.equal(sandbox.logins()[ISSUER]?.refreshToken, 'rt-2');
    const revocations = issuer.requests.filter((r) => r.url === `${ISSUER}/revoke`);
    assert.deepEqual(
      revocations.map((r) => [r.form?.get('token'), r.form?.get('token_type_hint')]),
      [['rt-1', 'refresh_token']],
    );
  });

  it('warns when no refresh token came', async () => {
    const { code, err } = await sandboxFor({ fetch: fakeIssuer().fetch }).run('login', '--issuer', ISSUER);
    assert.equal(code, 0);
    assert.match(
      err,
      /note: the issuer gave no refresh token; run 'gatehouse login' again when the access token expires/,
    );
  });

  it('opens the browser at the complete URI and shows a QR code when a person is at a terminal', async () => {
    const sandbox = sandboxFor({ fetch: fakeIssuer().fetch, stdoutIsTTY: true, progressIsTTY: true });
    const { code, out } = await sandbox.run('login', '--issuer', ISSUER);
    assert.equal(code, 0);
    assert.deepEqual(sandbox.state.opened, [`${ISSUER}/device?user_code=WDJB-MJHT`]);
    // Black on white (ANSI 30/47), then rows of half blocks.
    assert.ok(out.includes('or scan this QR code with a phone:\n\n\u001b[47m\u001b[30m'), out);
    assert.match(out, /^.+\[30m [▀▄█ ]{20,}/m);
    assert.match(out, /and enter the code:\n\n {4}WDJB-MJHT\n/);
    assert.match(
      sandbox.state.progress,
      /⠋ Waiting for you to approve in the browser \(the code expires in 10:00\)/,
    );
    assert.ok(sandbox.state.progress.endsWith('\r\u001b[K'), 'the progress line is cleared');
  });

  it('opens no browser with --no-browser, under CI, or without a terminal', async () => {
    const tty = sandboxFor({ fetch: fakeIssuer().fetch, stdoutIsTTY: true });
    await tty.run('login', '--issuer', ISSUER, '--no-browser');
    tty.env['CI'] = 'true';
    await tty.run('login', '--issuer', ISSUER);
    assert.deepEqual(tty.state.opened, []);
    const piped = sandboxFor({ fetch: fakeIssuer().fetch });
    const { out } = await piped.run('login', '--issuer', ISSUER);
    assert.deepEqual(piped.state.opened, []);
    assert.doesNotMatch(out, /QR code/);
    assert.match(out, /Or open https:\/\/id\.example\.test\/device\?user_code=WDJB-MJHT\n/);
    assert.equal(piped.state.progress, 'Waiting for approval...\n');
  });

  it('stops on Ctrl-C with exit 130 and stores nothing', async () => {
    let sandbox: ReturnType<typeof createLoginSandbox> | undefined;
    sandbox = sandboxFor({
      fetch: fakeIssuer({ token: [{ status: 400, body: { error: 'authorization_pending' } }] }).fetch,
      async onWait() {
        sandbox?.state.interrupt?.();
      },
    });
    const { code, err } = await sandbox.run('login', '--issuer', ISSUER);
    assert.equal(code, 130);
    assert.match(err, /gatehouse login: cancelled/);
    assert.deepEqual(sandbox.logins(), {});
    assert.equal(sandbox.state.interrupt, undefined, 'the Ctrl-C handler is removed');
  });
});
