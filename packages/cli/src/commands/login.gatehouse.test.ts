/**
 * `gatehouse login`, `whoami`, `token` and `logout` end to end against a listening Gatehouse
 * issuer with the device grant. The person's part is done on the real verification page with
 * HTTP form posts and a cookie jar, as a browser without JavaScript would.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIssuer, type Issuer, validateConfig } from '@gatehouse/authorization-server';
import { createManualClock, createSilentLogger, type ManualClock } from '@gatehouse/core';
import { createLoginSandbox } from './login.testing.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const PASSWORD = 'correct horse battery staple';
const MASTER_KEY = Buffer.alloc(32, 9).toString('base64url');

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A browser without JavaScript: fetch, a cookie jar, redirects followed by hand. */
class FormBrowser {
  private readonly cookies = new Map<string, string>();

  get(url: string) {
    return this.send(url, { method: 'GET' });
  }

  post(url: string, form: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    return this.send(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  private async send(url: string, init: RequestInit) {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (/Max-Age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }
}

function field(body: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]+)"`).exec(body);
  assert.ok(match, `the page has a ${name} field`);
  return match[1]!;
}

/** Alice opens the complete verification URI, signs in, and approves or denies. */
async function decideOnVerificationPage(complete: string, decision: 'approve' | 'deny'): Promise<void> {
  const browser = new FormBrowser();
  const login = await browser.get(complete);
  assert.equal(login.status, 200, login.body);
  const signedIn = await browser.post(new URL('/device/login', complete).href, {
    csrf_token: field(login.body, 'csrf_token'),
    interaction_id: field(login.body, 'interaction_id'),
    username: 'alice',
    password: PASSWORD,
  });
  assert.equal(signedIn.status, 303, signedIn.body);
  const consent = await browser.get(new URL(signedIn.location!, complete).href);
  assert.equal(consent.status, 200, consent.body);
  assert.match(consent.body, /Gatehouse CLI/);
  const done = await browser.post(new URL('/device/decision', complete).href, {
    csrf_token: field(consent.body, 'csrf_token'),
    user_code: field(consent.body, 'user_code'),
    decision,
    scope: ['profile', 'email', 'offline_access', 'orders:read'],
  });
  assert.equal(done.status, 200, done.body);
}

describe('gatehouse login against a Gatehouse issuer (device grant)', () => {
  let issuer: Issuer;
  let url: string;
  let dataDir: string;
  let clock: ManualClock;

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-e2e-'));
    const config = validateConfig({
      issuer: url,
      listen: { host: '127.0.0.1', port },
      data_dir: dataDir,
      log_level: 'silent',
      request_logging: false,
      resources: [{ id: 'https://orders.test', scopes: ['orders:read'], token_format: 'jwt' }],
      clients: [
        {
          client_id: 'gatehouse-cli',
          client_name: 'Gatehouse CLI',
          token_endpoint_auth_method: 'none',
          grant_types: [DEVICE_GRANT, 'refresh_token'],
          scope: 'openid profile email offline_access orders:read',
        },
      ],
      users: [{ username: 'alice', name: 'Alice Example', email: 'alice@example.test', password: PASSWORD }],
    });
    // A minute behind real time: the test moves it on past poll intervals, and ID tokens are
    // still issued in the past by the real clock oauth4webapi judges them with.
    clock = createManualClock(Date.now() - 60_000);
    issuer = await createIssuer(config, {
      clock,
      env: { GATEHOUSE_MASTER_KEY: MASTER_KEY },
      logger: createSilentLogger(),
    });
    await issuer.app.listen({ host: '127.0.0.1', port });
  });
  after(async () => {
    await issuer?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A sandbox whose person decides on the verification page once the URL is on screen. */
  function sandboxDeciding(decision: 'approve' | 'deny') {
    let decided = false;
    return createLoginSandbox({
      async onWait(out, ms) {
        clock.advance(ms / 1000);
        const complete = /^Or open (\S+)$/m.exec(out)?.[1];
        if (decided || complete === undefined) return;
        decided = true;
        await decideOnVerificationPage(complete, decision);
      },
    });
  }

  it('signs in, shows who, prints and refreshes a token for the API, and signs out', async () => {
    const sandbox = sandboxDeciding('approve');
    try {
      const login = await sandbox.run(
        'login',
        '--issuer',
        url,
        '--scope',
        'openid profile email offline_access orders:read',
      );
      assert.equal(login.code, 0, login.err);
      assert.match(login.out, new RegExp(`open this page in a browser:\\n\\n {4}${url}/device\\n`));
      assert.match(
        login.out,
        /and enter the code:\n\n {4}[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}\n/,
      );
      assert.match(login.out, new RegExp(`Signed in at ${url} as Alice Example\\.`));
      const stored = sandbox.logins()[url];
      assert.ok(stored?.refreshToken);
      assert.equal(stored.scope, 'openid profile email offline_access orders:read');

      const whoami = await sandbox.run('whoami');
      assert.equal(whoami.code, 0, whoami.err);
      assert.match(whoami.out, /^name: +Alice Example$/m);
      assert.match(whoami.out, /^email: +alice@example\.test$/m);
      assert.match(whoami.out, /^client: +gatehouse-cli$/m);
      const alice = await issuer.context.store.users.findByUsername('alice');
      assert.match(whoami.out, new RegExp(`^subject: +${alice!.id}$`, 'm'));

      const token = await sandbox.run('token');
      assert.equal(token.code, 0, token.err);
      const payload = JSON.parse(Buffer.from(token.out.trim().split('.')[1]!, 'base64url').toString()) as {
        aud: string;
        scope: string;
        sub: string;
      };
      assert.equal(payload.aud, 'https://orders.test', 'a JWT for the Orders API');
      assert.equal(payload.sub, alice!.id);
      assert.match(payload.scope, /orders:read/);

      // An hour on (for the CLI), the access token has expired: `token` refreshes, and the
      // issuer rotates the refresh token.
      sandbox.state.clockOffsetMs = 3600_000;
      const refreshed = await sandbox.run('token');
      assert.equal(refreshed.code, 0, refreshed.err);
      const after = sandbox.logins()[url]!;
      assert.equal(refreshed.out, `${after.accessToken}\n`);
      assert.notEqual(after.accessToken, stored.accessToken);
      assert.notEqual(after.refreshToken, stored.refreshToken);

      const logout = await sandbox.run('logout');
      assert.equal(logout.code, 0, logout.err);
      assert.match(logout.out, /the refresh token is revoked/);
      assert.deepEqual(sandbox.logins(), {});
      const reuse = await fetch(`${url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: after.refreshToken!,
          client_id: 'gatehouse-cli',
        }),
      });
      assert.equal(reuse.status, 400);
      assert.equal(((await reuse.json()) as { error: string }).error, 'invalid_grant');
    } finally {
      sandbox.cleanup();
    }
  });

  it('ends with exit 1 and a clear message when Alice denies', async () => {
    const sandbox = sandboxDeciding('deny');
    try {
      const { code, err } = await sandbox.run('login', '--issuer', url);
      assert.equal(code, 1);
      assert.match(
        err,
        /the sign-in request was denied at the verification page; run 'gatehouse login' to try again/,
      );
      assert.deepEqual(sandbox.logins(), {});
    } finally {
      sandbox.cleanup();
    }
  });

  it('explains the client Gatehouse needs when --client-id names an unknown one', async () => {
    const sandbox = createLoginSandbox();
    try {
      const { code, err } = await sandbox.run('login', '--issuer', url, '--client-id', 'nobody');
      assert.equal(code, 1);
      assert.match(
        err,
        /refused to start the sign-in: invalid_client .*public client 'nobody' \(token_endpoint_auth_method: none\)/,
      );
    } finally {
      sandbox.cleanup();
    }
  });
});
