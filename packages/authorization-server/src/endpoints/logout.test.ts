import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import type { LightMyRequestResponse } from 'fastify';
import { generateKeyPair, SignJWT } from 'jose';
import { encodeJwsHeader, signCompactJws } from '../keys/signing-key.js';
import {
  type Browser,
  captureDeliveries,
  confirmationFields,
  idTokenFor,
  logoutClients,
  logoutUsers,
  signInBrowser,
} from '../logout/testing.js';
import { CSRF_COOKIE } from '../pages/csrf-cookie.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

describe('/logout (OpenID Connect RP-Initiated Logout 1.0)', () => {
  let t: TestIssuer;
  let alice: Browser;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), { clients: logoutClients(), users: logoutUsers });
    // Deliveries are the back-channel tests' business; here they only must not leave the process.
    captureDeliveries(t);
  });
  after(() => t.close());
  beforeEach(async () => {
    alice = await signInBrowser(t);
  });

  const get = (query: Record<string, string>, cookie?: string) =>
    t.issuer.app.inject({
      method: 'GET',
      url: `/logout?${new URLSearchParams(query)}`,
      headers: cookie ? { cookie } : {},
    });
  const post = (form: Record<string, string>, cookie?: string) =>
    t.post('/logout', form, cookie ? { headers: { cookie } } : {});

  /** The CSRF cookie a page set, added to the browser's cookies. */
  const withCsrfCookie = (res: LightMyRequestResponse, cookie: string) => {
    const header = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith(`${CSRF_COOKIE}=`));
    return header ? `${cookie}; ${header.split(';')[0]}` : cookie;
  };
  const confirm = async (page: LightMyRequestResponse, decision: string, cookie = alice.cookie) => {
    const { csrfToken, logoutId } = confirmationFields(page);
    return post({ csrf_token: csrfToken, logout_id: logoutId, decision }, withCsrfCookie(page, cookie));
  };
  const sessionOf = (browser: Browser) => t.issuer.context.store.sessions.findById(browser.session.id);
  const assertLive = async (browser: Browser) => assert.equal((await sessionOf(browser))?.endedAt, null);
  const assertErrorPage = (res: LightMyRequestResponse, status: number, text: RegExp) => {
    assert.equal(res.statusCode, status);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['location'], undefined, 'an error never redirects');
    assert.match(res.body, text);
    // Every page here is about signing out, never a "sign-in request".
    assert.doesNotMatch(res.body, /sign-in request/);
  };
  /** A refused sign-out says so in its title, and that nothing changed. */
  const assertRefusedSignOut = (res: LightMyRequestResponse, status: number, text: RegExp) => {
    assertErrorPage(res, status, text);
    assert.match(res.body, /<title>This sign-out request is not valid/);
    assert.match(res.body, /<h1>This sign-out request is not valid<\/h1>/);
    assert.match(res.body, /if you were signed in, you still are/);
  };

  describe('asking', () => {
    it('asks the signed-in person, naming the client of a valid id_token_hint, and ends nothing', async () => {
      const res = await get(
        {
          id_token_hint: await idTokenFor(t, alice, 'web-app'),
          post_logout_redirect_uri: 'https://app.test/bye',
        },
        alice.cookie,
      );
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<strong>Web App<\/strong> asked to sign you out\./);
      assert.match(res.body, /You are signed in as <strong>Alice Example<\/strong>/);
      assert.equal(res.headers['cache-control'], 'no-store');
      // The POST ends in a redirect to the client: form-action must allow its origin.
      assert.match(String(res.headers['content-security-policy']), /form-action 'self' https:\/\/app\.test;/);
      assert.ok(confirmationFields(res).logoutId);
    });

    it('never ends the session on a GET alone, however often it is repeated', async () => {
      const hint = await idTokenFor(t, alice, 'web-app');
      for (let i = 0; i < 3; i++) {
        const res = await get(
          { id_token_hint: hint, post_logout_redirect_uri: 'https://app.test/bye' },
          alice.cookie,
        );
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['location'], undefined);
      }
      await assertLive(alice);
    });

    it('asks on a POST from the client too (§2: GET and POST), ending nothing', async () => {
      const res = await post(
        { client_id: 'notes', post_logout_redirect_uri: 'https://notes.test/bye' },
        alice.cookie,
      );
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<strong>Notes<\/strong> asked to sign you out\./);
      await assertLive(alice);
    });

    it('accepts an expired id_token_hint (§2: "even when the exp time has passed")', async () => {
      const hint = await idTokenFor(t, alice, 'web-app');
      t.clock.advance(3600);
      alice = await signInBrowser(t);
      const res = await get(
        { id_token_hint: hint, post_logout_redirect_uri: 'https://app.test/bye' },
        alice.cookie,
      );
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<strong>Web App<\/strong> asked/);
    });

    it('asks without any parameter at all, naming no client', async () => {
      const res = await get({}, alice.cookie);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /You asked to sign out\./);
    });

    it('accepts ui_locales (the first supported language) and logout_hint', async () => {
      const res = await get(
        { client_id: 'web-app', ui_locales: 'de en-GB', logout_hint: 'alice' },
        alice.cookie,
      );
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<html lang="en">/);
      // OIDC Core §3.1.2.1: unsupported or malformed locales are no error.
      const odd = await get({ client_id: 'web-app', ui_locales: '!! <x> fr' }, alice.cookie);
      assert.equal(odd.statusCode, 200);
      assert.match(odd.body, /<html lang="en">/);
    });
  });

  describe('refusing a bad request with a page, never a redirect', () => {
    it('refuses an id_token_hint we did not sign', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ sid: alice.session.sid })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'forged' })
        .setIssuer(TEST_ISSUER)
        .setAudience('web-app')
        .setSubject(alice.user.id)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const res = await get(
        { id_token_hint: forged, post_logout_redirect_uri: 'https://app.test/bye' },
        alice.cookie,
      );
      assertRefusedSignOut(res, 400, /the id_token_hint is not an ID token issued here/);
      await assertLive(alice);
    });

    it('refuses one of our access tokens as an id_token_hint (typ at+jwt)', async () => {
      // Signed by our key, with an audience that is a client: only its type tells it apart.
      const key = t.issuer.context.keys.signingKey();
      const now = Math.floor(t.clock() / 1000);
      const claims = { iss: TEST_ISSUER, sub: alice.user.id, aud: 'web-app', iat: now, exp: now + 300 };
      const accessToken = signCompactJws(
        key,
        encodeJwsHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid }),
        claims,
      );
      const res = await get({ id_token_hint: accessToken }, alice.cookie);
      assertRefusedSignOut(res, 400, /the id_token_hint is not an ID token issued here/);
    });

    it('refuses a client_id that does not match the id_token_hint (§2)', async () => {
      const res = await get(
        {
          id_token_hint: await idTokenFor(t, alice, 'notes'),
          client_id: 'web-app',
          post_logout_redirect_uri: 'https://app.test/bye',
        },
        alice.cookie,
      );
      assertRefusedSignOut(res, 400, /client_id does not match the id_token_hint/);
      await assertLive(alice);
    });

    it('refuses a hint for another client with that client’s redirect URI misused', async () => {
      // The hint names notes; the URI is web-app's: it is checked against notes' registration.
      const res = await get(
        {
          id_token_hint: await idTokenFor(t, alice, 'notes'),
          post_logout_redirect_uri: 'https://app.test/bye',
        },
        alice.cookie,
      );
      assertErrorPage(res, 400, /We cannot send you back to this application/);
    });

    it('refuses an unknown client_id', async () => {
      const res = await get(
        { client_id: 'nobody', post_logout_redirect_uri: 'https://app.test/bye' },
        alice.cookie,
      );
      assertErrorPage(res, 400, /This application is not recognised/);
    });

    it('refuses a post_logout_redirect_uri the client did not register, even without a session', async () => {
      for (const uri of ['https://evil.test/bye', 'https://app.test/bye/', 'https://app.test/BYE']) {
        const res = await get(
          { client_id: 'web-app', post_logout_redirect_uri: uri, state: 's' },
          alice.cookie,
        );
        assertErrorPage(res, 400, /only sends you back to addresses the application has registered/);
        assertErrorPage(
          await get({ client_id: 'web-app', post_logout_redirect_uri: uri }),
          400,
          /registered/,
        );
      }
      await assertLive(alice);
    });

    it('refuses a post_logout_redirect_uri when no client is identified', async () => {
      const res = await get({ post_logout_redirect_uri: 'https://app.test/bye' }, alice.cookie);
      assertRefusedSignOut(res, 400, /post_logout_redirect_uri needs an id_token_hint or a client_id/);
    });

    it('refuses a repeated parameter', async () => {
      const res = await t.issuer.app.inject({
        method: 'GET',
        url: '/logout?client_id=web-app&client_id=notes',
        headers: { cookie: alice.cookie },
      });
      assertRefusedSignOut(res, 400, /included more than once/);
    });

    it('refuses a body it cannot read with the sign-out page, not the sign-in one', async () => {
      const res = await t.issuer.app.inject({
        method: 'POST',
        url: '/logout',
        headers: { cookie: alice.cookie, 'content-type': 'text/plain' },
        payload: 'client_id=web-app',
      });
      assertRefusedSignOut(res, 415, /This sign-out request is not valid/);
      await assertLive(alice);
    });
  });

  describe('signing out', () => {
    it('ends the session, clears its cookie and returns to the client with state', async () => {
      const page = await get(
        {
          id_token_hint: await idTokenFor(t, alice, 'web-app'),
          post_logout_redirect_uri: 'https://app.test/bye',
          state: 'af0ifjsldkj & more',
        },
        alice.cookie,
      );
      const res = await confirm(page, 'logout');
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers['location'], 'https://app.test/bye?state=af0ifjsldkj%20%26%20more');
      const cookies = [res.headers['set-cookie'] ?? []].flat();
      assert.ok(
        cookies.some((c) => /^__Host-gatehouse-session=;.*Max-Age=0/.test(c)),
        cookies.join('\n'),
      );
      const ended = await sessionOf(alice);
      assert.ok(ended?.endedAt !== null);
      assert.equal(ended?.endReason, 'logout');
    });

    it('keeps the query of a registered redirect URI and adds state to it', async () => {
      const page = await get(
        {
          client_id: 'web-app',
          post_logout_redirect_uri: 'https://app.test/bye?from=gatehouse',
          state: 'xyz',
        },
        alice.cookie,
      );
      const res = await confirm(page, 'logout');
      assert.equal(res.headers['location'], 'https://app.test/bye?from=gatehouse&state=xyz');
    });

    it('redirects without state when none was sent', async () => {
      const page = await get(
        { client_id: 'notes', post_logout_redirect_uri: 'https://notes.test/bye' },
        alice.cookie,
      );
      const res = await confirm(page, 'logout');
      assert.equal(res.headers['location'], 'https://notes.test/bye');
    });

    it('shows the signed-out page when no redirect was asked for', async () => {
      const page = await get({ client_id: 'web-app' }, alice.cookie);
      const res = await confirm(page, 'logout');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<h1>You have signed out<\/h1>/);
      assert.match(res.body, /href="https:\/\/app\.test\/">Back to Web App/);
      // The client's home page is the way onward; no second choice competes with it.
      assert.doesNotMatch(res.body, /Sign in again/);
      assert.equal((await sessionOf(alice))?.endReason, 'logout');
    });

    it('completes when the session ended between the question and the answer', async () => {
      const page = await get(
        { client_id: 'web-app', post_logout_redirect_uri: 'https://app.test/bye' },
        alice.cookie,
      );
      const first = await confirm(page, 'logout');
      assert.equal(first.statusCode, 303);
      const again = await confirm(page, 'logout');
      assert.equal(again.statusCode, 303);
      assert.equal(again.headers['location'], 'https://app.test/bye');
    });

    it('completes at once without a session: redirect with state, or the signed-out page', async () => {
      const res = await get({
        client_id: 'web-app',
        post_logout_redirect_uri: 'https://app.test/bye',
        state: 'abc',
      });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers['location'], 'https://app.test/bye?state=abc');
      assert.equal(res.headers['set-cookie'], undefined);
      const page = await get({});
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /You have signed out/);
      // No client to go back to: the page offers signing in again at the account page.
      assert.match(
        page.body,
        /<a class="button secondary" href="https:\/\/issuer\.test\/account">Sign in again<\/a>/,
      );
      assert.doesNotMatch(page.body, /Back to/);
    });

    it('clears the cookie of a session that has already ended, without asking', async () => {
      const page = await get({ client_id: 'web-app' }, alice.cookie);
      await confirm(page, 'logout');
      const res = await get(
        { client_id: 'web-app', post_logout_redirect_uri: 'https://app.test/bye' },
        alice.cookie,
      );
      assert.equal(res.statusCode, 303);
      assert.ok([res.headers['set-cookie'] ?? []].flat().some((c) => c.includes('Max-Age=0')));
    });
  });

  describe('staying signed in', () => {
    it('keeps the session and does not send the person to the post-logout redirect', async () => {
      const page = await get(
        { client_id: 'web-app', post_logout_redirect_uri: 'https://app.test/bye' },
        alice.cookie,
      );
      const res = await confirm(page, 'cancel');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['location'], undefined);
      assert.match(res.body, /<h1>You are still signed in<\/h1>/);
      assert.equal(res.headers['set-cookie'], undefined);
      await assertLive(alice);
    });

    it('refuses a confirmation without a decision', async () => {
      const page = await get({}, alice.cookie);
      const { csrfToken, logoutId } = confirmationFields(page);
      const res = await post(
        { csrf_token: csrfToken, logout_id: logoutId },
        withCsrfCookie(page, alice.cookie),
      );
      assertRefusedSignOut(res, 400, /no decision/);
      await assertLive(alice);
    });
  });

  describe('CSRF', () => {
    it('refuses a forged confirmation from another site (no token) with the 403 page', async () => {
      const res = await post({ decision: 'logout' }, alice.cookie);
      assertErrorPage(res, 403, /We could not verify this form/);
      await assertLive(alice);
    });

    it('refuses a token from another browser (no CSRF cookie, or another one)', async () => {
      const page = await get({ client_id: 'web-app' }, alice.cookie);
      const { csrfToken, logoutId } = confirmationFields(page);
      const fields = { csrf_token: csrfToken, logout_id: logoutId, decision: 'logout' };
      assertErrorPage(await post(fields, alice.cookie), 403, /could not verify/);
      const other = `${alice.cookie}; ${CSRF_COOKIE}=${'A'.repeat(43)}`;
      assertErrorPage(await post(fields, other), 403, /could not verify/);
      await assertLive(alice);
    });

    it('refuses a token for another logout request, so no redirect target can be swapped in', async () => {
      const mine = await get({ client_id: 'web-app' }, alice.cookie);
      const theirs = await get(
        { client_id: 'notes', post_logout_redirect_uri: 'https://notes.test/bye' },
        alice.cookie,
      );
      const cookie = withCsrfCookie(mine, alice.cookie);
      const res = await post(
        {
          csrf_token: confirmationFields(mine).csrfToken,
          logout_id: confirmationFields(theirs).logoutId,
          decision: 'logout',
        },
        cookie,
      );
      assertErrorPage(res, 403, /could not verify/);
      await assertLive(alice);
    });

    it('refuses a form left open too long', async () => {
      const page = await get({ client_id: 'web-app' }, alice.cookie);
      t.clock.advance(601);
      const res = await confirm(page, 'logout');
      assert.equal(res.statusCode, 403);
    });
  });
});
