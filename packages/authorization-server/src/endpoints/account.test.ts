import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { epochSeconds } from '@gatehouse/core';
import type { SessionRecord, UserRecord } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import type { LightMyRequestResponse } from 'fastify';
import { readSessionCookie, sessionIdOf } from '../sessions/session-cookie.js';
import { CHALLENGE, CookieJar, csrfTokenOf, PASSWORD } from '../testing/browser-flow.js';
import { codeFlowConfig, codeRequest, REDIRECT, seedCode, webApp } from '../testing/code-grant.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const config = {
  ...codeFlowConfig,
  clients: codeFlowConfig.clients.map((c) =>
    c.client_id === 'web-app' ? { ...c, client_name: 'Acme Notes' } : c,
  ),
  users: [...codeFlowConfig.users, { username: 'bob', name: 'Bob Example', password: PASSWORD }],
};

function location(res: LightMyRequestResponse): URL {
  assert.equal(res.statusCode, 303, res.body);
  return new URL(String(res.headers.location));
}

for (const backend of storeBackends()) {
  describe(`account page: /account (${backend.name})`, { skip: backend.skipReason }, () => {
    let t: TestIssuer;
    before(async () => {
      t = await startTestIssuer(await backend.open(), config);
    });
    after(() => t.close());

    const get = (url: string, jar: CookieJar) =>
      t.issuer.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
    const postForm = (url: string, form: Record<string, string>, jar: CookieJar) =>
      t.post(url, form, { headers: { cookie: jar.header() } });

    /** Visits /account signed out, signs in on the page it sends to, and lands back on /account. */
    async function signInAtAccount(jar: CookieJar, username = 'alice'): Promise<LightMyRequestResponse> {
      const start = await get('/account', jar);
      jar.take(start);
      const loginUrl = location(start);
      assert.equal(loginUrl.origin + loginUrl.pathname, `${TEST_ISSUER}/login`);
      const login = await get(loginUrl.pathname + loginUrl.search, jar);
      assert.equal(login.statusCode, 200);
      jar.take(login);
      const res = await postForm(
        '/login',
        {
          csrf_token: csrfTokenOf(login.body),
          interaction_id: loginUrl.searchParams.get('interaction')!,
          username,
          password: PASSWORD,
        },
        jar,
      );
      jar.take(res);
      assert.equal(location(res).href, `${TEST_ISSUER}/account`);
      const page = await get('/account', jar);
      assert.equal(page.statusCode, 200, page.body);
      return page;
    }

    /**
     * Signs in as `username` through an authorization request with prompt=login: the way a
     * second person signs in on a browser that already has a session.
     */
    async function signInViaAuthorize(jar: CookieJar, username: string): Promise<void> {
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
      jar.take(start);
      const loginUrl = location(start);
      const login = await get(loginUrl.pathname + loginUrl.search, jar);
      jar.take(login);
      const res = await postForm(
        '/login',
        {
          csrf_token: csrfTokenOf(login.body),
          interaction_id: loginUrl.searchParams.get('interaction')!,
          username,
          password: PASSWORD,
        },
        jar,
      );
      jar.take(res);
      assert.equal(location(res).pathname, '/authorize');
    }

    /** The user and session of the browser `jar`. */
    async function userAndSession(jar: CookieJar): Promise<{ user: UserRecord; session: SessionRecord }> {
      const ctx = t.issuer.context;
      const cookie = readSessionCookie(jar.header());
      assert.ok(cookie, 'the browser has a session cookie');
      const session = await ctx.store.sessions.findById(sessionIdOf(ctx.secrets.sessionDigest, cookie));
      assert.ok(session);
      return { user: (await ctx.store.users.findById(session.userId))!, session };
    }

    /**
     * The web app's grant from the person signed in on `jar` (as consent records it) and the
     * tokens codes under it redeem for (an opaque access token with a refresh token, and a JWT
     * access token for the JWT API), plus a code issued but not yet redeemed.
     */
    async function grantAndTokens(jar: CookieJar) {
      const ctx = t.issuer.context;
      const who = await userAndSession(jar);
      const now = epochSeconds(t.clock);
      const grant = await ctx.store.grants.upsert({
        id: randomUUID(),
        userId: who.user.id,
        clientId: 'web-app',
        scopes: ['openid', 'profile', 'ledger:read', 'orders:read'],
        resources: [],
        createdAt: now,
        updatedAt: now,
        revokedAt: null,
      });
      const code = await seedCode(t, who, { grantId: grant.id, scope: 'openid profile ledger:read' });
      const res = await t.post('/token', codeRequest(code), { basic: webApp });
      assert.equal(res.statusCode, 200, res.body);
      const tokens = res.json() as { access_token: string; refresh_token: string };
      const jwtCode = await seedCode(t, who, { grantId: grant.id, scope: 'openid orders:read' });
      const jwtRes = await t.post('/token', codeRequest(jwtCode), { basic: webApp });
      assert.equal(jwtRes.statusCode, 200, jwtRes.body);
      const jwt = jwtRes.json().access_token as string;
      assert.equal(jwt.split('.').length, 3, 'a JWT access token');
      const pending = await seedCode(t, who, { grantId: grant.id, scope: 'openid' });
      return { grant, ...tokens, jwt, pending };
    }

    /** Introspection as the token's own client (RFC 7662 §4 lets it learn about its tokens). */
    async function isActive(token: string): Promise<boolean> {
      const res = await t.post('/introspect', { token }, { basic: webApp });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { active: boolean }).active;
    }

    it('sends a visitor without a session to sign in, and back to /account after it', async () => {
      const jar = new CookieJar();
      const start = await get('/account', jar);
      assert.equal(start.headers['cache-control'], 'no-store');
      assert.match(
        String(start.headers['set-cookie']),
        /__Host-gatehouse-interaction-[\w-]{22}=.+; Secure; HttpOnly/,
      );
      const page = await signInAtAccount(jar);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.match(
        String(page.headers['content-security-policy']),
        /default-src 'none'.*frame-ancestors 'none'/,
      );
      assert.match(page.body, /<h1>Your account<\/h1>/);
      assert.match(page.body, /Signed in as <strong>Alice Example<\/strong>/);
      assert.match(page.body, /<span class="tag">This device<\/span>/);
      assert.doesNotMatch(jar.header(), /gatehouse-interaction/, 'the sign-in is over');
    });

    it('shows the sign-in page for the account without naming an app', async () => {
      const jar = new CookieJar();
      const first = await get('/account', jar);
      jar.take(first);
      const start = location(first);
      const login = await get(start.pathname + start.search, jar);
      assert.match(login.body, /with your Gatehouse account/);
      assert.match(String(login.headers['content-security-policy']), /form-action 'self';/);
    });

    it('never takes where to go after sign-in from the request', async () => {
      const jar = new CookieJar();
      const start = await get('/account?return_to=https%3A%2F%2Fevil.test%2F&continue=/authorize', jar);
      jar.take(start);
      const loginUrl = location(start);
      assert.deepEqual([...loginUrl.searchParams.keys()], ['interaction']);
      const id = loginUrl.searchParams.get('interaction')!;
      // The account sign-in cannot be resumed as an authorization request, nor consented to.
      const authorize = await get(`/authorize?interaction=${id}`, jar);
      assert.equal(authorize.statusCode, 400);
      assert.match(authorize.body, /This page has expired/);
      const consent = await get(`/consent?interaction=${id}`, jar);
      assert.equal(consent.statusCode, 400);
      const login = await get(loginUrl.pathname + loginUrl.search, jar);
      jar.take(login);
      const res = await postForm(
        '/login',
        {
          csrf_token: csrfTokenOf(login.body),
          interaction_id: id,
          username: 'alice',
          password: PASSWORD,
          return_to: 'https://evil.test/',
        },
        jar,
      );
      assert.equal(location(res).href, `${TEST_ISSUER}/account`);
    });

    it('lists the live sessions, this one first, and the granted apps with scopes and date', async () => {
      const other = new CookieJar();
      await signInAtAccount(other);
      const jar = new CookieJar();
      await signInAtAccount(jar);
      await grantAndTokens(jar);
      const page = await get('/account', jar);
      assert.equal(
        (
          page.body.match(/<form method="post" action="https:\/\/issuer\.test\/account\/sessions\/end">/g) ??
          []
        ).length >= 2,
        true,
      );
      assert.ok(page.body.indexOf('This device') < page.body.indexOf('End session<'));
      assert.match(page.body, /<span class="row-title">Acme Notes<\/span>/);
      assert.match(page.body, /<dt>Can<\/dt><dd>Know who you are; See your profile; [^<]*<\/dd>/);
      assert.match(
        page.body,
        /<dt>Granted<\/dt><dd><time datetime="[^"]+">\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC<\/time>/,
      );
    });

    it('revokes a grant and, at once, its access and refresh tokens and unused codes', async () => {
      const jar = new CookieJar();
      const page = await signInAtAccount(jar);
      const { grant, access_token, refresh_token, jwt, pending } = await grantAndTokens(jar);
      assert.equal(await isActive(access_token), true);
      assert.equal(await isActive(jwt), true);
      assert.equal(await isActive(refresh_token), true);
      const fresh = await get('/account', jar);
      assert.match(fresh.body, new RegExp(`name="grant_id" value="${grant.id}"`));

      const res = await postForm(
        '/account/grants/revoke',
        { csrf_token: csrfTokenOf(page.body), grant_id: grant.id },
        jar,
      );
      const back = location(res);
      assert.equal(back.href, `${TEST_ISSUER}/account?notice=grant-revoked`);
      assert.equal(res.headers['cache-control'], 'no-store');

      assert.equal(await isActive(access_token), false);
      assert.equal(await isActive(jwt), false, 'the JWT access token is deny-listed');
      assert.equal(await isActive(refresh_token), false);
      const refresh = await t.post(
        '/token',
        { grant_type: 'refresh_token', refresh_token },
        { basic: webApp },
      );
      assert.equal(refresh.statusCode, 400);
      assert.equal(refresh.json().error, 'invalid_grant');
      const redeem = await t.post('/token', codeRequest(pending), { basic: webApp });
      assert.equal(redeem.statusCode, 400);
      assert.equal(redeem.json().error, 'invalid_grant');
      assert.ok((await t.issuer.context.store.grants.findById(grant.id))?.revokedAt);

      const after = await get(`${back.pathname}${back.search}`, jar);
      assert.match(after.body, /role="status"><p>The app&#39;s access was revoked\./);
      assert.doesNotMatch(after.body, new RegExp(grant.id));

      // Posting the same form again (a reload, a second tab) changes nothing and says so.
      const again = await postForm(
        '/account/grants/revoke',
        { csrf_token: csrfTokenOf(page.body), grant_id: grant.id },
        jar,
      );
      assert.equal(location(again).search, '?notice=grant-gone');
    });

    it('ends another session of the user, revoking its tokens, and stays signed in here', async () => {
      const elsewhere = new CookieJar();
      await signInAtAccount(elsewhere);
      const { session: otherSession } = await userAndSession(elsewhere);
      const { access_token } = await grantAndTokens(elsewhere);
      const jar = new CookieJar();
      const page = await signInAtAccount(jar);
      assert.match(page.body, new RegExp(`name="session_id" value="${otherSession.sid}"`));

      const res = await postForm(
        '/account/sessions/end',
        { csrf_token: csrfTokenOf(page.body), session_id: otherSession.sid },
        jar,
      );
      assert.equal(location(res).search, '?notice=session-ended');
      assert.equal(res.headers['set-cookie'], undefined, 'this browser keeps its session');
      const ended = await t.issuer.context.store.sessions.findById(otherSession.id);
      assert.equal(ended?.endReason, 'logout');
      assert.equal(await isActive(access_token), false);
      const still = await get('/account?notice=session-ended', jar);
      assert.equal(still.statusCode, 200);
      assert.match(still.body, /The session has ended\./);
      assert.doesNotMatch(still.body, new RegExp(otherSession.sid));
      // The other browser is signed out: its next visit asks it to sign in.
      assert.equal(location(await get('/account', elsewhere)).pathname, '/login');
    });

    it('ending this browser’s session signs out: cookie cleared, signed-out page', async () => {
      const jar = new CookieJar();
      const page = await signInAtAccount(jar);
      const sid = /name="session_id" value="([^"]+)"/.exec(page.body)![1]!;
      const res = await postForm(
        '/account/sessions/end',
        { csrf_token: csrfTokenOf(page.body), session_id: sid },
        jar,
      );
      assert.equal(location(res).href, `${TEST_ISSUER}/account?notice=signed-out`);
      assert.match(String(res.headers['set-cookie']), /__Host-gatehouse-session=;.*Max-Age=0/);
      jar.take(res);
      const signedOut = await get('/account?notice=signed-out', jar);
      assert.equal(signedOut.statusCode, 200);
      assert.match(signedOut.body, /You have signed out/);
      // The way onward: signing in again here, which is the visit to /account that follows.
      assert.match(
        signedOut.body,
        /<a class="button secondary" href="https:\/\/issuer\.test\/account">Sign in again<\/a>/,
      );
      assert.equal(signedOut.headers['cache-control'], 'no-store');
      assert.equal(location(await get('/account', jar)).pathname, '/login');
    });

    it('refuses a POST without a valid CSRF token, or one from another session’s page, and changes nothing', async () => {
      const jar = new CookieJar();
      const page = await signInAtAccount(jar);
      const { grant } = await grantAndTokens(jar);
      for (const csrf_token of [undefined, 'v1.9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
        const res = await postForm(
          '/account/grants/revoke',
          { ...(csrf_token ? { csrf_token } : {}), grant_id: grant.id },
          jar,
        );
        assert.equal(res.statusCode, 403);
        assert.match(res.body, /We could not verify this form/);
      }
      // Bob signs in on the same browser: Alice's page, still open, cannot act for him.
      await signInViaAuthorize(jar, 'bob');
      const bob = await get('/account', jar);
      assert.match(bob.body, /Signed in as <strong>Bob Example<\/strong>/);
      const stale = await postForm(
        '/account/grants/revoke',
        { csrf_token: csrfTokenOf(page.body), grant_id: grant.id },
        jar,
      );
      assert.equal(stale.statusCode, 403);
      assert.equal((await t.issuer.context.store.grants.findById(grant.id))?.revokedAt, null);
    });

    it("will not end another user's session or revoke another user's grant", async () => {
      const alice = new CookieJar();
      await signInAtAccount(alice);
      const { session: aliceSession } = await userAndSession(alice);
      const { grant } = await grantAndTokens(alice);
      const bob = new CookieJar();
      const page = await signInAtAccount(bob, 'bob');
      const csrf_token = csrfTokenOf(page.body);
      const end = await postForm('/account/sessions/end', { csrf_token, session_id: aliceSession.sid }, bob);
      assert.equal(location(end).search, '?notice=session-gone');
      const revoke = await postForm('/account/grants/revoke', { csrf_token, grant_id: grant.id }, bob);
      assert.equal(location(revoke).search, '?notice=grant-gone');
      assert.equal((await t.issuer.context.store.sessions.findById(aliceSession.id))?.endedAt, null);
      assert.equal((await t.issuer.context.store.grants.findById(grant.id))?.revokedAt, null);
    });

    it('answers a form without its field with a 400 page, and a POST without a session with the page', async () => {
      const jar = new CookieJar();
      const page = await signInAtAccount(jar);
      const csrf_token = csrfTokenOf(page.body);
      for (const path of ['/account/sessions/end', '/account/grants/revoke']) {
        const res = await postForm(path, { csrf_token }, jar);
        assert.equal(res.statusCode, 400);
        assert.match(res.body, /not valid/);
        const signedOut = await postForm(path, { csrf_token }, new CookieJar());
        assert.equal(location(signedOut).href, `${TEST_ISSUER}/account`);
      }
      const twice = await t.post(
        '/account/grants/revoke',
        { csrf_token, grant_id: ['a', 'b'] },
        {
          headers: { cookie: jar.header() },
        },
      );
      assert.equal(twice.statusCode, 400);
    });

    it('shows only its own notices, never text from the link', async () => {
      const jar = new CookieJar();
      await signInAtAccount(jar);
      const page = await get('/account?notice=Your%20account%20is%20locked', jar);
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /locked|role="status"/);
    });
  });
}
