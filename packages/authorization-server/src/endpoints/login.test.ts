import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SessionRecord } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import type { LightMyRequestResponse } from 'fastify';
import { readSessionCookie, sessionIdOf } from '../sessions/session-cookie.js';
import { CHALLENGE, CookieJar, csrfTokenOf, PASSWORD, REDIRECT } from '../testing/browser-flow.js';
import { APP_SECRET, codeFlowConfig, codeRequest, seedCode, webApp } from '../testing/code-grant.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const config = {
  ...codeFlowConfig,
  users: [...codeFlowConfig.users, { username: 'bob', name: 'Bob Example', password: PASSWORD }],
};

function location(res: LightMyRequestResponse): URL {
  assert.equal(res.statusCode, 303, res.body);
  return new URL(String(res.headers.location));
}

for (const backend of storeBackends()) {
  describe(`/login (${backend.name})`, { skip: backend.skipReason }, () => {
    let t: TestIssuer;
    before(async () => {
      t = await startTestIssuer(await backend.open(), config);
    });
    after(() => t.close());

    const get = (url: string, jar: CookieJar) =>
      t.issuer.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });

    /** Follows `start` to the login page and posts the credentials with its CSRF token. */
    async function submitLogin(
      jar: CookieJar,
      start: LightMyRequestResponse,
      username: string,
      password: string,
    ): Promise<LightMyRequestResponse> {
      jar.take(start);
      const loginUrl = location(start);
      assert.equal(loginUrl.pathname, '/login');
      const page = await get(loginUrl.pathname + loginUrl.search, jar);
      jar.take(page);
      const res = await t.post(
        '/login',
        {
          csrf_token: csrfTokenOf(page.body),
          interaction_id: loginUrl.searchParams.get('interaction')!,
          username,
          password,
        },
        { headers: { cookie: jar.header() } },
      );
      jar.take(res);
      return res;
    }

    /** Signs in as `username` on the page /account sends to; returns where the login POST went. */
    async function signIn(
      jar: CookieJar,
      username: string,
      password = PASSWORD,
    ): Promise<LightMyRequestResponse> {
      const start = await get('/account', jar);
      return submitLogin(jar, start, username, password);
    }

    /** Signs in through an authorization request with prompt=login, as an app asking for a fresh sign-in. */
    async function signInWithPromptLogin(
      jar: CookieJar,
      username: string,
      password = PASSWORD,
    ): Promise<LightMyRequestResponse> {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: 'web-app',
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
        prompt: 'login',
      });
      const start = await get(`/authorize?${query}`, jar);
      return submitLogin(jar, start, username, password);
    }

    async function sessionOf(jar: CookieJar): Promise<SessionRecord> {
      const ctx = t.issuer.context;
      const session = await ctx.store.sessions.findById(
        sessionIdOf(ctx.secrets.sessionDigest, readSessionCookie(jar.header())!),
      );
      assert.ok(session);
      return session;
    }

    async function accessTokenFor(session: SessionRecord): Promise<string> {
      const user = (await t.issuer.context.store.users.findById(session.userId))!;
      const code = await seedCode(t, { user, session }, { scope: 'openid ledger:read' });
      const res = await t.post('/token', codeRequest(code), { basic: webApp });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().access_token as string;
    }

    async function isActive(token: string): Promise<boolean> {
      const res = await t.post('/introspect', { token }, { basic: ['resource-server', APP_SECRET] });
      return res.json().active as boolean;
    }

    it('ends the live session of another person on this browser, and its tokens, before signing in', async () => {
      const jar = new CookieJar();
      assert.equal(location(await signIn(jar, 'alice')).href, `${TEST_ISSUER}/account`);
      const alice = await sessionOf(jar);
      const token = await accessTokenFor(alice);
      assert.equal(await isActive(token), true);

      // An app asks for a fresh sign-in and Bob signs in on Alice's browser.
      const res = await signInWithPromptLogin(jar, 'bob');
      assert.equal(location(res).pathname, '/authorize');

      const ended = await t.issuer.context.store.sessions.findById(alice.id);
      assert.equal(ended?.endReason, 'logout');
      assert.equal(await isActive(token), false);
      const bob = await sessionOf(jar);
      assert.notEqual(bob.id, alice.id);
      assert.equal(bob.endedAt, null);
      assert.match((await get('/account', jar)).body, /Signed in as <strong>Bob Example<\/strong>/);
    });

    it('keeps the earlier session when the same person signs in again', async () => {
      const jar = new CookieJar();
      await signIn(jar, 'alice');
      const first = await sessionOf(jar);
      const token = await accessTokenFor(first);
      assert.equal(location(await signInWithPromptLogin(jar, 'alice')).pathname, '/authorize');
      assert.notEqual((await sessionOf(jar)).id, first.id);
      assert.equal((await t.issuer.context.store.sessions.findById(first.id))?.endedAt, null);
      assert.equal(await isActive(token), true);
    });

    it('leaves the session alone when the other person’s password is wrong', async () => {
      const jar = new CookieJar();
      await signIn(jar, 'alice');
      const alice = await sessionOf(jar);
      const res = await signInWithPromptLogin(jar, 'bob', 'wrong password');
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /The username or password is incorrect\./);
      assert.equal((await t.issuer.context.store.sessions.findById(alice.id))?.endedAt, null);
      assert.equal((await sessionOf(jar)).id, alice.id);
    });

    it('shows the expired page for an unknown interaction or one without its cookie', async () => {
      const res = await get('/login?interaction=nope', new CookieJar());
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /This page has expired/);
    });
  });
}
