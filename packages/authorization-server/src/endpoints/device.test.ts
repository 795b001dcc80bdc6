import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import type { LightMyRequestResponse } from 'fastify';
import { serializeHostCookie } from '../pages/csrf-cookie.js';
import { sessionCookie } from '../sessions/session-cookie.js';
import { startSession } from '../sessions/session-service.js';
import { CookieJar, csrfTokenOf } from '../testing/browser-flow.js';
import { type SignedIn, signIn } from '../testing/code-grant.js';
import {
  approveDevice,
  deviceFlowConfig,
  findByUserCode,
  PASSWORD,
  pollRequest,
  type StartedDevice,
  startDevice,
} from '../testing/device-flow.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

/** A browser at one address: its cookies, and the pages it gets. */
class Browser {
  readonly jar = new CookieJar();
  constructor(
    private readonly t: TestIssuer,
    readonly address = '192.0.2.10',
  ) {}
  async get(url: string): Promise<LightMyRequestResponse> {
    const res = await this.t.issuer.app.inject({
      method: 'GET',
      url,
      remoteAddress: this.address,
      headers: { cookie: this.jar.header() },
    });
    this.jar.take(res);
    return res;
  }
  async post(url: string, form: Record<string, string | string[]>): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    const res = await this.t.issuer.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.address,
      headers: { cookie: this.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
    this.jar.take(res);
    return res;
  }
  /** Types `code` into the code form. */
  async enter(code: string): Promise<LightMyRequestResponse> {
    const form = await this.get('/device');
    return this.post('/device', { csrf_token: csrfTokenOf(form.body), user_code: code });
  }
  async signIn(page: LightMyRequestResponse, username = 'alice'): Promise<LightMyRequestResponse> {
    const interaction = /name="interaction_id" value="([^"]+)"/.exec(page.body)![1]!;
    return this.post('/device/login', {
      csrf_token: csrfTokenOf(page.body),
      interaction_id: interaction,
      username,
      password: PASSWORD,
    });
  }
  async decide(
    consent: LightMyRequestResponse,
    decision: 'approve' | 'deny',
    scopes: string[] = [],
  ): Promise<LightMyRequestResponse> {
    const userCode = /name="user_code" value="([^"]+)"/.exec(consent.body)![1]!;
    return this.post('/device/decision', {
      csrf_token: csrfTokenOf(consent.body),
      user_code: userCode,
      decision,
      scope: scopes,
    });
  }
}

function assertPageHeaders(res: LightMyRequestResponse): void {
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.match(String(res.headers['content-type']), /^text\/html/);
}

describe('the device verification page (RFC 8628 §3.3)', () => {
  let t: TestIssuer;
  let alice: SignedIn;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), deviceFlowConfig);
    alice = await signIn(t);
  });
  after(() => t.close());

  const start = (scope = 'openid offline_access orders:read') =>
    t
      .post(
        '/device_authorization',
        { client_id: 'cli', scope },
        { headers: { 'user-agent': 'gatehouse-cli/1.0 (Linux)' } },
      )
      .then((res) => res.json() as StartedDevice);

  it('shows the code form, uncached under the strict CSP', async () => {
    const res = await new Browser(t).get('/device');
    assert.equal(res.statusCode, 200);
    assertPageHeaders(res);
    assert.match(res.body, /<h1>Connect a device<\/h1>/);
    assert.match(res.body, /action="https:\/\/issuer\.test\/device"/);
    assert.match(res.body, /name="csrf_token"/);
  });

  it('signs a person in for a typed code and approves only the scopes left ticked', async () => {
    const started = await start();
    const browser = new Browser(t);
    // Case, spaces and dashes do not matter.
    const typed = ` ${started.user_code.toLowerCase().replace('-', ' - ')} `;
    const login = await browser.enter(typed);
    assert.equal(login.statusCode, 200);
    assertPageHeaders(login);
    assert.match(login.body, /<h1>Sign in<\/h1>/);
    assert.match(login.body, /to continue to <strong>Gatehouse CLI<\/strong>/);
    assert.match(login.body, /action="https:\/\/issuer\.test\/device\/login"/);

    const signedIn = await browser.signIn(login);
    assert.equal(signedIn.statusCode, 303);
    assert.equal(signedIn.headers.location, started.verification_uri_complete);

    const consent = await browser.get(signedIn.headers.location!.slice(TEST_ISSUER.length));
    assert.equal(consent.statusCode, 200);
    assertPageHeaders(consent);
    assert.match(consent.body, /<strong>Gatehouse CLI<\/strong> wants to access your account from a device/);
    assert.match(consent.body, new RegExp(`<code>${started.user_code}</code>`));
    assert.match(consent.body, /<span class="muted">\(gatehouse-cli\/1\.0 \(Linux\)\)<\/span>/);
    assert.match(consent.body, /<dt>Address<\/dt><dd>127\.0\.0\.1<\/dd>/);
    assert.match(consent.body, /Signed in as <strong>Alice Example<\/strong>/);
    assert.match(consent.body, /value="offline_access" checked/);
    assert.match(consent.body, /value="orders:read" checked/);
    assert.doesNotMatch(consent.body, /value="openid"/, 'openid is required, not a checkbox');

    const done = await browser.decide(consent, 'approve', ['orders:read', 'profile']);
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /<h1>Device connected<\/h1>/);

    const tokens = await t.post('/token', pollRequest(started.device_code));
    assert.equal(tokens.statusCode, 200, tokens.body);
    // offline_access was unticked, profile was never requested: neither is granted.
    assert.equal(tokens.json().scope, 'openid orders:read');
    assert.equal(tokens.json().refresh_token, undefined);
    const grant = await t.issuer.context.store.grants.find(alice.user.id, 'cli');
    assert.deepEqual(grant?.scopes, ['openid', 'orders:read']);
  });

  it('confirms a code from verification_uri_complete only after a click (RFC 8628 §5.4)', async () => {
    const started = await start();
    const browser = new Browser(t);
    const login = await browser.get(started.verification_uri_complete.slice(TEST_ISSUER.length));
    const consent = await browser.get(
      (await browser.signIn(login)).headers.location!.slice(TEST_ISSUER.length),
    );
    assert.match(consent.body, /Approve only if you started this yourself/);
    assert.equal((await findByUserCode(t, started.user_code)).status, 'pending');
    await browser.get(started.verification_uri_complete.slice(TEST_ISSUER.length));
    assert.equal((await findByUserCode(t, started.user_code)).status, 'pending');
    const denied = await browser.decide(consent, 'deny');
    assert.match(denied.body, /<h1>Request denied<\/h1>/);
    const poll = await t.post('/token', pollRequest(started.device_code));
    assert.equal(poll.json().error, 'access_denied');
  });

  it('goes straight to consent for a person already signed in', async () => {
    const started = await start('openid');
    const browser = new Browser(t);
    const login = await browser.enter(started.user_code);
    await browser.signIn(login);
    const next = await start('orders:read');
    const consent = await browser.enter(next.user_code);
    assert.match(consent.body, /wants to access your account from a device/);
  });

  it('ends the session of another person who was signed in on the browser', async () => {
    const first = await start();
    const browser = new Browser(t);
    const loginForFirst = await browser.enter(first.user_code);
    const second = await start();
    const loginForSecond = await browser.enter(second.user_code);
    await browser.signIn(loginForFirst, 'alice');
    const aliceSessions = await t.issuer.context.store.sessions.listByUser(alice.user.id, {
      liveAt: Math.floor(t.clock() / 1000),
    });
    // Bob signs in from the other tab's sign-in form on the same browser.
    assert.equal((await browser.signIn(loginForSecond, 'bob')).statusCode, 303);
    const live = await t.issuer.context.store.sessions.listByUser(alice.user.id, {
      liveAt: Math.floor(t.clock() / 1000),
    });
    assert.equal(live.length, aliceSessions.length - 1, 'alice’s session on this browser ended');
    const consent = await browser.get(`/device?user_code=${second.user_code}`);
    assert.match(consent.body, /Signed in as <strong>Bob Example<\/strong>/);
  });

  it('says so when the sign-in fails, and stays on the sign-in', async () => {
    const started = await start();
    const browser = new Browser(t);
    const login = await browser.enter(started.user_code);
    const interaction = /name="interaction_id" value="([^"]+)"/.exec(login.body)![1]!;
    const failed = await browser.post('/device/login', {
      csrf_token: csrfTokenOf(login.body),
      interaction_id: interaction,
      username: 'alice',
      password: 'wrong password, clearly',
    });
    assert.equal(failed.statusCode, 400);
    assert.match(failed.body, /The username or password is incorrect\./);
  });

  it('explains an expired code and a used one on readable pages', async () => {
    const used = await start();
    await approveDevice(t, used.device_code, alice);
    const browser = new Browser(t);
    const usedPage = await browser.enter(used.user_code);
    assert.equal(usedPage.statusCode, 400);
    assert.match(usedPage.body, /<h1>This code has already been used<\/h1>/);
    assert.match(usedPage.body, /Enter another code/);

    const expired = await start();
    t.clock.advance(600);
    const expiredPage = await browser.enter(expired.user_code);
    assert.equal(expiredPage.statusCode, 400);
    assertPageHeaders(expiredPage);
    assert.match(expiredPage.body, /<h1>This code has expired<\/h1>/);
  });

  it('refuses a decision on a code that expired while the page was open', async () => {
    const started = await start();
    // Late enough that the code expires before the page's CSRF token (600 s) does.
    t.clock.advance(590);
    const browser = new Browser(t);
    const consent = await browser.get(
      (await browser.signIn(await browser.enter(started.user_code))).headers.location!.slice(
        TEST_ISSUER.length,
      ),
    );
    t.clock.advance(15);
    const late = await browser.decide(consent, 'approve', ['orders:read']);
    assert.match(late.body, /<h1>This code has expired<\/h1>/);
    assert.equal((await findByUserCode(t, started.user_code)).status, 'pending');
  });

  it('tells an unknown code from a malformed one', async () => {
    const browser = new Browser(t, '198.51.100.1');
    const unknown = await browser.enter('BCDF-GHJK');
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /That code is not valid/);
    assert.match(unknown.body, /value="BCDF-GHJK"/);
    const malformed = await browser.enter('AEIOU');
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.body, /A code has 8 letters/);
    assert.match(malformed.body, /value="AEIOU"/);
  });

  it('does not repeat back an entry longer than the code field takes', async () => {
    const browser = new Browser(t, '198.51.100.2');
    const long = await browser.get(`/device?user_code=${'A'.repeat(10_000)}`);
    assert.equal(long.statusCode, 400);
    assert.match(long.body, /A code has 8 letters/);
    assert.doesNotMatch(long.body, /AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/);
    assert.match(long.body, /name="user_code" value=""/);
  });

  it('refuses every form without its CSRF token', async () => {
    const started = await start();
    const browser = new Browser(t);
    await browser.get('/device');
    for (const [url, form] of [
      ['/device', { user_code: started.user_code }],
      ['/device/login', { interaction_id: started.user_code, username: 'alice', password: PASSWORD }],
      ['/device/decision', { user_code: started.user_code, decision: 'approve' }],
    ] as const) {
      const res = await browser.post(url, {
        ...form,
        csrf_token: 'v1.9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      });
      assert.equal(res.statusCode, 403, url);
      assert.match(res.body, /We could not verify this form/);
    }
    assert.equal((await findByUserCode(t, started.user_code)).status, 'pending');
  });

  it('does not let a page left open decide for someone who signed in since', async () => {
    const started = await start();
    const browser = new Browser(t);
    const consent = await browser.get(
      (await browser.signIn(await browser.enter(started.user_code))).headers.location!.slice(
        TEST_ISSUER.length,
      ),
    );
    // Bob signs in on the same browser (say in another tab) while Alice's page stays open.
    const bob = (await t.issuer.context.store.users.findByUsername('bob'))!;
    const { cookieValue } = await startSession(t.issuer.context, {
      user: bob,
      amr: ['pwd'],
      acr: null,
      authTime: Math.floor(t.clock() / 1000),
    });
    browser.jar.take({
      headers: { 'set-cookie': serializeHostCookie(sessionCookie(cookieValue)) },
    } as unknown as LightMyRequestResponse);
    const late = await browser.decide(consent, 'approve', ['orders:read']);
    assert.equal(late.statusCode, 403);
    assert.equal((await findByUserCode(t, started.user_code)).status, 'pending');
  });

  it('does not take a code form token for a decision (purpose-bound CSRF)', async () => {
    const started = await start();
    const browser = new Browser(t);
    await browser.signIn(await browser.enter(started.user_code));
    const form = await browser.get('/device');
    const res = await browser.post('/device/decision', {
      csrf_token: csrfTokenOf(form.body),
      user_code: started.user_code,
      decision: 'approve',
    });
    assert.equal(res.statusCode, 403);
  });
});

describe('the device verification page throttles user-code guessing', () => {
  let t: TestIssuer;
  beforeEach(async () => {
    await t?.close();
    t = await startTestIssuer(await sqlite.open(), {
      ...deviceFlowConfig,
      device: { verification_throttle: { address_failures: 3, total_failures: 5, base_delay: 60 } },
    });
  });
  after(() => t.close());

  it('makes an address wait after a few unknown codes, and says so', async () => {
    const started = await startDevice(t);
    const guesser = new Browser(t, '203.0.113.7');
    for (let i = 0; i < 3; i++)
      assert.match((await guesser.enter('BCDF-GHJK')).body, /That code is not valid/);
    const blocked = await guesser.enter(started.user_code);
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.headers['retry-after'], '60');
    assert.match(blocked.body, /Too many attempts; try again in 1 minute\./);
    // Another address is not held up by this one.
    assert.match((await new Browser(t, '203.0.113.8').enter(started.user_code)).body, /<h1>Sign in<\/h1>/);
    // After the wait the address may try again.
    t.clock.advance(60);
    assert.match((await guesser.enter(started.user_code)).body, /<h1>Sign in<\/h1>/);
  });

  it('checks one code of a burst sent the moment a wait ends, and throttles the rest', async () => {
    const guesser = new Browser(t, '203.0.113.20');
    for (let i = 0; i < 3; i++) await guesser.enter('BCDF-GHJK');
    t.clock.advance(60);
    const pages = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const form = await guesser.get('/device');
        return guesser.post('/device', { csrf_token: csrfTokenOf(form.body), user_code: 'BCDF-GHJL' });
      }),
    );
    assert.deepEqual(pages.map((p) => p.statusCode).sort(), [400, 429, 429, 429, 429]);
  });

  it('counts a /64 as one IPv6 address', async () => {
    for (let i = 0; i < 3; i++) await new Browser(t, `2001:db8:1:2::${i + 1}`).enter('BCDF-GHJK');
    assert.equal((await new Browser(t, '2001:db8:1:2::99').enter('BCDF-GHJK')).statusCode, 429);
  });

  it('makes everyone wait after too many unknown codes in total', async () => {
    const started = await startDevice(t);
    for (let i = 0; i < 5; i++) await new Browser(t, `198.51.100.${i + 1}`).enter('BCDF-GHJK');
    const anyone = await new Browser(t, '192.0.2.200').enter(started.user_code);
    assert.equal(anyone.statusCode, 429);
    assert.match(anyone.body, /Too many attempts; try again in/);
  });

  it('counts user codes by outcome for the operators', async () => {
    const started = await startDevice(t);
    const person = new Browser(t, '203.0.113.10');
    await person.enter(started.user_code);
    await person.enter('nonsense');
    for (let i = 0; i < 4; i++) await person.enter('BCDF-GHJK');
    const metric = await t.issuer.context.metrics.registry.getSingleMetricAsString(
      'gatehouse_device_user_codes_total',
    );
    assert.match(metric, /gatehouse_device_user_codes_total\{outcome="found"\} 1/);
    assert.match(metric, /gatehouse_device_user_codes_total\{outcome="malformed"\} 1/);
    assert.match(metric, /gatehouse_device_user_codes_total\{outcome="unknown"\} 3/);
    assert.match(metric, /gatehouse_device_user_codes_total\{outcome="throttled"\} 1/);
  });

  it('counts neither malformed input nor codes that exist', async () => {
    const started = await startDevice(t);
    const person = new Browser(t, '203.0.113.9');
    for (let i = 0; i < 5; i++) {
      await person.enter('not a code');
      await person.enter(started.user_code);
    }
    assert.match((await person.enter(started.user_code)).body, /<h1>Sign in<\/h1>/);
  });
});
