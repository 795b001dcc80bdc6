import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createLogger } from '@gatehouse/core';
import { storeBackends } from '@gatehouse/store/testing';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { SESSION_COOKIE } from '../sessions/session-cookie.js';
import { endUserSession, endUserSessions, readSession, startSession } from '../sessions/session-service.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';
import { BACKCHANNEL_LOGOUT_EVENT } from '../tokens/logout-token.js';
import { type LogoutTokenDelivery, postLogoutToken } from './backchannel.js';
import {
  type Browser,
  captureDeliveries,
  confirmationFields,
  logoutClients,
  logoutUsers,
  signInBrowser,
  signInToClient,
} from './testing.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

/** Verifies a logout token against the issuer's published JWKS, as an RP does (§2.6). */
async function verifyLogoutToken(t: TestIssuer, token: string, clientId: string) {
  const jwks = (await t.issuer.app.inject({ method: 'GET', url: '/jwks' })).json() as JSONWebKeySet;
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: TEST_ISSUER,
    audience: clientId,
    typ: 'logout+jwt',
    currentDate: new Date(t.clock()),
  });
  assert.equal(protectedHeader.typ, 'logout+jwt');
  // §2.4: events holds the back-channel logout member with an empty object; "A nonce Claim MUST NOT be present".
  assert.deepEqual(payload['events'], { [BACKCHANNEL_LOGOUT_EVENT]: {} });
  assert.equal('nonce' in payload, false);
  assert.equal(typeof payload.jti, 'string');
  assert.ok(payload.exp! - payload.iat! <= 120);
  return payload;
}

async function outcomes(t: TestIssuer): Promise<Record<string, number>> {
  const metric = await t.issuer.context.metrics.backchannelLogouts.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels['outcome']), v.value]));
}

const cookieValueOf = (browser: Browser) => browser.cookie.slice(SESSION_COOKIE.length + 1);

describe('Back-Channel Logout 1.0: whenever a session ends, its clients are told', () => {
  let t: TestIssuer;
  let deliveries: LogoutTokenDelivery[];
  let alice: Browser;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), { clients: logoutClients(), users: logoutUsers });
  });
  after(() => t.close());
  beforeEach(async () => {
    deliveries = captureDeliveries(t);
    alice = await signInBrowser(t);
    for (const client of ['web-app', 'notes', 'quiet']) await signInToClient(t, alice, client);
  });
  afterEach(() => t.issuer.context.backchannelLogout.idle());

  const delivered = async () => {
    await t.issuer.context.backchannelLogout.idle();
    return deliveries.map((d) => d.clientId).sort();
  };

  it('on sign-out at /logout: one token per client of the session with a back-channel URI', async () => {
    // Bob's session with web-app is not Alice's: it must hear nothing.
    const bob = await signInBrowser(t, 'bob');
    await signInToClient(t, bob, 'web-app');
    const page = await t.issuer.app.inject({
      method: 'GET',
      url: '/logout',
      headers: { cookie: alice.cookie },
    });
    const { csrfToken, logoutId } = confirmationFields(page);
    const csrfCookie = [page.headers['set-cookie']].flat()[0]!.split(';')[0];
    const res = await t.post(
      '/logout',
      { csrf_token: csrfToken, logout_id: logoutId, decision: 'logout' },
      { headers: { cookie: `${alice.cookie}; ${csrfCookie}` } },
    );
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await delivered(), ['notes', 'web-app']);
    const uris = Object.fromEntries(deliveries.map((d) => [d.clientId, d.uri]));
    assert.deepEqual(uris, {
      notes: 'https://notes.test/logout',
      'web-app': 'https://app.test/backchannel-logout',
    });
    for (const delivery of deliveries) {
      const claims = await verifyLogoutToken(t, delivery.logoutToken, delivery.clientId);
      assert.equal(claims['sid'], alice.session.sid);
      assert.equal(claims.sub, alice.user.id);
    }
  });

  it('on an end from the account page or an admin', async () => {
    assert.equal(await endUserSession(t.issuer.context, alice.user.id, alice.session.sid, 'admin'), true);
    assert.deepEqual(await delivered(), ['notes', 'web-app']);
  });

  it('on disabling the user: every session, each with its own sid', async () => {
    const second = await signInBrowser(t);
    await signInToClient(t, second, 'notes');
    assert.equal(await endUserSessions(t.issuer.context, alice.user.id, 'user_disabled'), 2);
    await t.issuer.context.backchannelLogout.idle();
    const sids = await Promise.all(
      deliveries.map(async (d) => (await verifyLogoutToken(t, d.logoutToken, d.clientId))['sid']),
    );
    assert.deepEqual(sids.sort(), [alice.session.sid, alice.session.sid, second.session.sid].sort());
  });

  it('on the session limit: the older session’s clients hear of it', async () => {
    const ctx = t.issuer.context;
    const limited = {
      ...ctx,
      config: { ...ctx.config, sessions: { ...ctx.config.sessions, max_per_user: 1 } },
    };
    await startSession(limited, { user: alice.user, amr: ['pwd'], acr: null, authTime: 0 });
    assert.equal((await ctx.store.sessions.findById(alice.session.id))?.endReason, 'limit');
    assert.deepEqual(await delivered(), ['notes', 'web-app']);
    const claims = await verifyLogoutToken(t, deliveries[0]!.logoutToken, deliveries[0]!.clientId);
    assert.equal(claims['sid'], alice.session.sid);
  });

  it('on an idle timeout, once however often the expired session is read', async () => {
    t.clock.advance(t.issuer.context.config.sessions.idle_timeout + 1);
    const first = await readSession(t.issuer.context, cookieValueOf(alice));
    assert.deepEqual(first, { ok: false, reason: 'idle_timeout' });
    await readSession(t.issuer.context, cookieValueOf(alice));
    assert.deepEqual(await delivered(), ['notes', 'web-app']);
  });

  it('not for a session none of whose clients registered a back-channel URI', async () => {
    const quietOnly = await signInBrowser(t, 'bob');
    await signInToClient(t, quietOnly, 'quiet');
    await endUserSession(t.issuer.context, quietOnly.user.id, quietOnly.session.sid, 'admin');
    assert.deepEqual(await delivered(), []);
  });

  it('a slow client holds up neither the sign-out nor the others, and counts as a timeout', async () => {
    const backchannel = t.issuer.context.backchannelLogout;
    backchannel.timeoutMs = 100;
    let settled = false;
    deliveries = captureDeliveries(t, (d) =>
      d.clientId === 'notes' ? new Promise(() => {}) : Promise.resolve(),
    );
    const before = await outcomes(t);
    try {
      const ended = endUserSession(t.issuer.context, alice.user.id, alice.session.sid, 'logout');
      assert.equal(await ended, true, 'ending the session does not wait for the clients');
      const idle = backchannel.idle().then(() => {
        settled = true;
      });
      assert.equal(settled, false);
      await idle;
      const after = await outcomes(t);
      assert.equal((after['timeout'] ?? 0) - (before['timeout'] ?? 0), 1);
      assert.equal((after['delivered'] ?? 0) - (before['delivered'] ?? 0), 1);
    } finally {
      backchannel.timeoutMs = 5000;
    }
  });

  it('a listener that throws does not fail the request that ended the session', async () => {
    const ctx = t.issuer.context;
    const throwing = {
      ...ctx,
      onSessionEnded: () => {
        throw new Error('listener bug');
      },
    };
    assert.equal(await endUserSession(throwing, alice.user.id, alice.session.sid, 'admin'), true);
    assert.equal((await ctx.store.sessions.findById(alice.session.id))?.endReason, 'admin');
  });

  it('a delivery that fails is logged without the token and counted, never thrown', async () => {
    deliveries = captureDeliveries(t, async () => {
      throw new Error('connection refused');
    });
    const before = await outcomes(t);
    assert.equal(await endUserSession(t.issuer.context, alice.user.id, alice.session.sid, 'admin'), true);
    await t.issuer.context.backchannelLogout.idle();
    assert.equal(((await outcomes(t))['failed'] ?? 0) - (before['failed'] ?? 0), 2);
  });
});

describe('Back-Channel Logout over HTTP to real clients', () => {
  let t: TestIssuer;
  let server: Server;
  let received: { path: string; contentType: string | undefined; body: string }[];
  let logLines: string[];
  let closedPort: number;

  before(async () => {
    received = [];
    server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ path: request.url ?? '', contentType: request.headers['content-type'], body });
        // /slow never answers: the issuer must give up on its own.
        if (request.url === '/ok') response.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    t = await startTestIssuer(await sqlite.open(), {
      clients: logoutClients({
        app: `http://127.0.0.1:${port}/ok`,
        notes: `http://127.0.0.1:${port}/slow`,
        quiet: `http://127.0.0.1:${closedPort}/down`,
      }),
      users: logoutUsers,
    });
    logLines = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    t.issuer.context.logger = createLogger({ level: 'info', destination: sink });
    t.issuer.context.backchannelLogout.timeoutMs = 300;
  });
  after(async () => {
    await t.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('POSTs the logout token as a form, which verifies against the JWKS; a down or slow client only logs', async () => {
    assert.equal(t.issuer.context.backchannelLogout.deliver, postLogoutToken);
    const alice = await signInBrowser(t);
    for (const client of ['web-app', 'notes', 'quiet']) await signInToClient(t, alice, client);
    const started = Date.now();
    assert.equal(await endUserSession(t.issuer.context, alice.user.id, alice.session.sid, 'logout'), true);
    assert.ok(Date.now() - started < 300, 'ending the session did not wait for the clients');
    await t.issuer.context.backchannelLogout.idle();

    const ok = received.find((r) => r.path === '/ok');
    assert.ok(ok, 'the client received the POST');
    assert.equal(ok.contentType, 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(ok.body);
    assert.deepEqual([...form.keys()], ['logout_token']);
    const token = form.get('logout_token')!;
    const claims = await verifyLogoutToken(t, token, 'web-app');
    assert.equal(claims['sid'], alice.session.sid);
    assert.equal(claims.sub, alice.user.id);

    assert.deepEqual(await outcomes(t), { delivered: 1, timeout: 1, failed: 1 });
    const log = logLines.join('');
    assert.equal(log.includes(token), false, 'no logout token in the logs');
    assert.match(log, /"outcome":"timeout"/);
    assert.match(log, /"outcome":"failed".*ECONNREFUSED/);
    // One of the logs of this delivery: every one of them is free of tokens.
    for (const line of logLines) assert.doesNotMatch(line, /eyJ[\w-]+\.eyJ/);
  });
});
