import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { epochSeconds } from '@gatehouse/core';
import { storeBackends } from '@gatehouse/store/testing';
import type { LightMyRequestResponse } from 'fastify';
import {
  authorizeQuery,
  browserFlowConfig,
  CHALLENGE,
  CookieJar,
  csrfTokenOf,
  PASSWORD,
  REDIRECT,
} from '../testing/browser-flow.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';
import { opaqueTokenDigest } from '../tokens/opaque-token.js';

function location(res: LightMyRequestResponse): URL {
  assert.equal(res.statusCode, 303, res.body);
  return new URL(String(res.headers.location), TEST_ISSUER);
}

for (const backend of storeBackends()) {
  describe(`browser sign-in: /authorize, /login, /consent (${backend.name})`, {
    skip: backend.skipReason,
  }, () => {
    let t: TestIssuer;
    before(async () => {
      t = await startTestIssuer(await backend.open(), browserFlowConfig);
    });
    after(() => t.close());

    const get = (url: string, jar?: CookieJar) =>
      t.issuer.app.inject({ method: 'GET', url, headers: jar ? { cookie: jar.header() } : {} });
    const postForm = (url: string, form: Record<string, string | string[]>, jar: CookieJar) =>
      t.post(url, form, { headers: { cookie: jar.header() } });

    /** GET /authorize → /login page; returns the login page response and the interaction id. */
    async function startSignIn(jar: CookieJar, extra: Record<string, string> = {}) {
      const res = await get(`/authorize?${authorizeQuery(extra)}`, jar);
      jar.take(res);
      const loginUrl = location(res);
      assert.equal(loginUrl.pathname, '/login');
      const interaction = loginUrl.searchParams.get('interaction')!;
      const page = await get(`${loginUrl.pathname}${loginUrl.search}`, jar);
      jar.take(page);
      return { page, interaction };
    }

    async function signIn(jar: CookieJar, extra: Record<string, string> = {}): Promise<URL> {
      const { page, interaction } = await startSignIn(jar, extra);
      const res = await postForm(
        '/login',
        {
          csrf_token: csrfTokenOf(page.body),
          interaction_id: interaction,
          username: 'alice',
          password: PASSWORD,
        },
        jar,
      );
      jar.take(res);
      const resume = location(res);
      assert.equal(resume.pathname, '/authorize');
      const next = await get(`${resume.pathname}${resume.search}`, jar);
      jar.take(next);
      return location(next);
    }

    it('signs in, takes partial consent, and issues a code with exactly the approved scopes', async () => {
      const jar = new CookieJar();
      const consentUrl = await signIn(jar);
      assert.equal(consentUrl.pathname, '/consent');
      const page = await get(`${consentUrl.pathname}${consentUrl.search}`, jar);
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.match(page.body, /Web App/);
      assert.doesNotMatch(page.body, /value="openid"/, 'openid cannot be unticked');

      const res = await postForm(
        '/consent',
        {
          csrf_token: csrfTokenOf(page.body),
          interaction_id: consentUrl.searchParams.get('interaction')!,
          scope: ['profile', 'orders:read'],
          decision: 'approve',
        },
        jar,
      );
      jar.take(res);
      const callback = location(res);
      assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT);
      assert.equal(callback.searchParams.get('state'), 'state-123');
      assert.equal(callback.searchParams.get('iss'), TEST_ISSUER);
      const code = callback.searchParams.get('code')!;
      assert.match(code, /^[A-Za-z0-9_-]{43}$/);

      const ctx = t.issuer.context;
      const use = await ctx.store.authorizationCodes.consume(
        opaqueTokenDigest(ctx, code),
        epochSeconds(ctx.clock),
      );
      assert.ok(use);
      assert.equal(use.code.scope, 'openid profile', 'email was unticked; orders:read was never requested');
      assert.equal(use.code.clientId, 'web-app');
      assert.equal(use.code.redirectUri, REDIRECT);
      assert.equal(use.code.codeChallenge, CHALLENGE);
      assert.equal(use.code.nonce, 'nonce-456');
      assert.deepEqual(use.code.amr, ['pwd']);
      assert.equal(use.code.expiresAt - use.code.issuedAt, 60);
      const grant = await ctx.store.grants.find(use.code.userId, 'web-app');
      assert.deepEqual(grant?.scopes, ['openid', 'profile']);

      // Signed in and the grant covers it: straight back with a code, no page.
      const again = await get(`/authorize?${authorizeQuery({ scope: 'openid profile' })}`, jar);
      const direct = location(again);
      assert.equal(`${direct.origin}${direct.pathname}`, REDIRECT);
      assert.ok(direct.searchParams.get('code'));
      // prompt=none with a scope not granted: consent_required.
      const more = location(await get(`/authorize?${authorizeQuery({ prompt: 'none' })}`, jar));
      assert.equal(more.searchParams.get('error'), 'consent_required');
      assert.equal(more.searchParams.get('iss'), TEST_ISSUER);
    });

    it('redirects access_denied when the person denies', async () => {
      const jar = new CookieJar();
      const consentUrl = await signIn(jar, { scope: 'openid email', state: 's-deny' });
      const page = await get(`${consentUrl.pathname}${consentUrl.search}`, jar);
      const res = await postForm(
        '/consent',
        {
          csrf_token: csrfTokenOf(page.body),
          interaction_id: consentUrl.searchParams.get('interaction')!,
          decision: 'deny',
        },
        jar,
      );
      const callback = location(res);
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.equal(callback.searchParams.get('state'), 's-deny');
      assert.equal(callback.searchParams.get('iss'), TEST_ISSUER);
    });

    it('answers prompt=none without a session with login_required, to the client', async () => {
      const callback = location(await get(`/authorize?${authorizeQuery({ prompt: 'none' })}`));
      assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT);
      assert.equal(callback.searchParams.get('error'), 'login_required');
      assert.equal(callback.searchParams.get('state'), 'state-123');
      assert.equal(callback.searchParams.get('iss'), TEST_ISSUER);
    });

    it('shows an error page, never a redirect, for an unregistered redirect_uri', async () => {
      const res = await get(`/authorize?${authorizeQuery({ redirect_uri: 'https://evil.test/cb' })}`);
      assert.equal(res.statusCode, 400);
      assert.equal(res.headers.location, undefined);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.match(res.body, /We cannot send you back to this application/);
    });

    it('shows an error page for an unknown client and for a repeated parameter', async () => {
      const unknown = await get(`/authorize?${authorizeQuery({ client_id: 'nobody' })}`);
      assert.equal(unknown.statusCode, 400);
      assert.match(unknown.body, /not recognised/);
      const repeated = await get(`/authorize?${authorizeQuery()}&state=again`);
      assert.equal(repeated.statusCode, 400);
      assert.equal(repeated.headers.location, undefined);
      assert.match(String(repeated.headers['content-type']), /text\/html/);
    });

    it('redirects unsupported_response_type with state and iss', async () => {
      const callback = location(await get(`/authorize?${authorizeQuery({ response_type: 'token' })}`));
      assert.equal(callback.searchParams.get('error'), 'unsupported_response_type');
      assert.equal(callback.searchParams.get('state'), 'state-123');
      assert.equal(callback.searchParams.get('iss'), TEST_ISSUER);
    });

    it('redirects invalid_target for a resource this server does not serve', async () => {
      const callback = location(
        await get(`/authorize?${authorizeQuery({ resource: 'https://unknown.test' })}`),
      );
      assert.equal(callback.searchParams.get('error'), 'invalid_target');
      assert.equal(callback.searchParams.get('iss'), TEST_ISSUER);
    });

    it('refuses a login POST with a missing or wrong CSRF token with the 403 page', async () => {
      const jar = new CookieJar();
      const { interaction } = await startSignIn(jar);
      const form = { interaction_id: interaction, username: 'alice', password: PASSWORD };
      const missing = await postForm('/login', form, jar);
      assert.equal(missing.statusCode, 403);
      assert.match(missing.body, /We could not verify this form/);
      const wrong = await postForm('/login', { ...form, csrf_token: `v1.9999999999.${'A'.repeat(43)}` }, jar);
      assert.equal(wrong.statusCode, 403);
      assert.equal(wrong.headers['set-cookie'], undefined, 'no session was started');
    });

    it('re-renders the login page with the generic message for a wrong password', async () => {
      const jar = new CookieJar();
      const { page, interaction } = await startSignIn(jar);
      const res = await postForm(
        '/login',
        {
          csrf_token: csrfTokenOf(page.body),
          interaction_id: interaction,
          username: 'alice',
          password: 'wrong',
        },
        jar,
      );
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /The username or password is incorrect\./);
      assert.equal(res.headers['cache-control'], 'no-store');
    });

    it('shows the expired page for an unknown interaction', async () => {
      const res = await get('/login?interaction=nope');
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /This page has expired/);
    });

    it('asks to sign in again for prompt=login, then continues', async () => {
      const jar = new CookieJar();
      await signIn(jar, { scope: 'openid' });
      const res = await get(`/authorize?${authorizeQuery({ scope: 'openid', prompt: 'login' })}`, jar);
      assert.equal(location(res).pathname, '/login');
    });

    it('keeps the interaction in a __Host- cookie of its own: Secure, HttpOnly, Lax, 10 minutes', async () => {
      const res = await get(`/authorize?${authorizeQuery()}`);
      const id = location(res).searchParams.get('interaction')!;
      assert.match(id, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(
        String(res.headers['set-cookie']).replace(/=[^;]+;/, '=…;'),
        `__Host-gatehouse-interaction-${id}=…; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600`,
      );
    });

    it('lets two sign-ins in one browser (two tabs) each finish', async () => {
      const jar = new CookieJar();
      const first = await startSignIn(jar, { state: 'tab-1' });
      const second = await startSignIn(jar, { state: 'tab-2' });
      assert.notEqual(first.interaction, second.interaction);
      // The first tab signs in although the second started later.
      const signedIn = await postForm(
        '/login',
        {
          csrf_token: csrfTokenOf(first.page.body),
          interaction_id: first.interaction,
          username: 'alice',
          password: PASSWORD,
        },
        jar,
      );
      jar.take(signedIn);
      assert.equal(location(signedIn).searchParams.get('interaction'), first.interaction);
      // Both tabs go on with their own request.
      for (const [tab, interaction] of [
        ['tab-1', first.interaction],
        ['tab-2', second.interaction],
      ] as const) {
        const consent = location(await get(`/authorize?interaction=${interaction}`, jar));
        assert.equal(consent.pathname, '/consent');
        const page = await get(`${consent.pathname}${consent.search}`, jar);
        const done = await postForm(
          '/consent',
          { csrf_token: csrfTokenOf(page.body), interaction_id: interaction, decision: 'approve' },
          jar,
        );
        jar.take(done);
        assert.equal(location(done).searchParams.get('state'), tab);
      }
      assert.doesNotMatch(jar.header(), /gatehouse-interaction/, 'both are over');
    });

    it('keeps at most four interactions: starting a fifth clears the oldest', async () => {
      const jar = new CookieJar();
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        const res = await get(`/authorize?${authorizeQuery({ state: `s${n}` })}`, jar);
        jar.take(res);
        ids.push(location(res).searchParams.get('interaction')!);
        t.clock.advance(1);
      }
      const names = [...jar.header().matchAll(/__Host-gatehouse-interaction-([^=]+)=/g)].map((m) => m[1]);
      assert.deepEqual(names.sort(), ids.slice(1).sort());
      const oldest = await get(`/login?interaction=${ids[0]}`, jar);
      assert.equal(oldest.statusCode, 400, 'the oldest sign-in has expired');
    });

    it('deletes interaction cookies it cannot read, however many a request carries', async () => {
      const planted = Array.from(
        { length: 30 },
        (_, i) => `__Host-gatehouse-interaction-${String(i).padStart(22, 'x')}`,
      );
      const cookie = planted.map((name) => `${name}=not-a-jwe`).join('; ');
      const res = await t.issuer.app.inject({
        method: 'GET',
        url: `/authorize?${authorizeQuery()}`,
        headers: { cookie },
      });
      const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      const cleared = setCookies.filter((line) => /Max-Age=0/.test(line)).map((line) => line.split('=')[0]);
      assert.deepEqual(cleared.sort(), [...planted].sort());
      assert.equal(setCookies.length, planted.length + 1, 'and the new interaction’s own');
    });

    it('accepts the request by POST too', async () => {
      const res = await t.post('/authorize', Object.fromEntries(new URLSearchParams(authorizeQuery())));
      assert.equal(location(res).pathname, '/login');
    });

    it('prefills login_hint and sets the CSRF cookie on the login page', async () => {
      const jar = new CookieJar();
      const { page } = await startSignIn(jar, { login_hint: 'alice' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /name="username" value="alice"/);
      assert.match(String(page.headers['set-cookie']), /^__Host-gatehouse-csrf=/);
      assert.match(String(page.headers['content-security-policy']), /form-action 'self' https:\/\/app\.test/);
    });

    it('shows the expired page once the interaction is older than 10 minutes', async () => {
      const jar = new CookieJar();
      const { interaction } = await startSignIn(jar);
      t.clock.advance(601);
      const res = await get(`/login?interaction=${interaction}`, jar);
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /This page has expired/);
    });

    it('refuses a login POST from a browser without the CSRF cookie', async () => {
      const jar = new CookieJar();
      const { page, interaction } = await startSignIn(jar);
      const res = await t.post('/login', {
        csrf_token: csrfTokenOf(page.body),
        interaction_id: interaction,
        username: 'alice',
        password: PASSWORD,
      });
      assert.equal(res.statusCode, 403);
    });

    it('answers a malformed login POST with a 400 page, not JSON', async () => {
      const jar = new CookieJar();
      const res = await t.issuer.app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
        payload: 'username=a&username=b',
      });
      assert.equal(res.statusCode, 400);
      assert.match(String(res.headers['content-type']), /text\/html/);
    });

    it('throttles repeated failures with 429 and Retry-After', async () => {
      const jar = new CookieJar();
      const { page, interaction } = await startSignIn(jar);
      const form = { csrf_token: csrfTokenOf(page.body), interaction_id: interaction, username: 'bob' };
      let res = await postForm('/login', { ...form, password: 'wrong' }, jar);
      for (let i = 0; i < 10 && res.statusCode === 400; i++) {
        res = await postForm('/login', { ...form, password: 'wrong' }, jar);
      }
      assert.equal(res.statusCode, 429);
      assert.ok(Number(res.headers['retry-after']) >= 1);
      assert.match(res.body, /Too many sign-in attempts/);
    });

    it('asks to sign in again when the sign-in is older than max_age', async () => {
      const jar = new CookieJar();
      await signIn(jar, { scope: 'openid' });
      t.clock.advance(120);
      const res = await get(`/authorize?${authorizeQuery({ scope: 'openid', max_age: '60' })}`, jar);
      assert.equal(location(res).pathname, '/login');
      const none = await get(
        `/authorize?${authorizeQuery({ scope: 'openid', max_age: '60', prompt: 'none' })}`,
        jar,
      );
      assert.equal(location(none).searchParams.get('error'), 'login_required');
    });

    it('shows the expired page for consent without a session', async () => {
      const jar = new CookieJar();
      const { interaction } = await startSignIn(jar);
      const res = await get(`/consent?interaction=${interaction}`, jar);
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /This page has expired/);
    });

    it('leaves out scopes the client may not have, on the consent page and in the code', async () => {
      const jar = new CookieJar();
      const consentUrl = await signIn(jar, { scope: 'openid admin:everything email' });
      const page = await get(`${consentUrl.pathname}${consentUrl.search}`, jar);
      assert.doesNotMatch(page.body, /admin:everything/);
      const res = await postForm(
        '/consent',
        {
          csrf_token: csrfTokenOf(page.body),
          interaction_id: consentUrl.searchParams.get('interaction')!,
          scope: ['email', 'admin:everything'],
          decision: 'approve',
        },
        jar,
      );
      const code = location(res).searchParams.get('code')!;
      const ctx = t.issuer.context;
      const use = await ctx.store.authorizationCodes.consume(
        opaqueTokenDigest(ctx, code),
        epochSeconds(ctx.clock),
      );
      assert.equal(use?.code.scope, 'openid email');
    });

    it('takes ui_locales it cannot serve, malformed ones too, without an error; pages stay English', async () => {
      // OIDC Core §3.1.2.1: "An error SHOULD NOT result if some or all of the requested locales
      // are not supported by the OpenID Provider."
      const extra = { ui_locales: 'fr-CA de_DE! en-GB', scope: 'openid profile' };
      const { page } = await startSignIn(new CookieJar(), extra);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /^<!doctype html>\n<html lang="en">/);
      const jar = new CookieJar();
      const consentUrl = await signIn(jar, { ...extra, ui_locales: 'fr de' });
      assert.equal(consentUrl.pathname, '/consent');
      const consent = await get(`${consentUrl.pathname}${consentUrl.search}`, jar);
      assert.equal(consent.statusCode, 200);
      assert.match(consent.body, /^<!doctype html>\n<html lang="en">/);
    });
  });
}
