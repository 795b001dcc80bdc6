/**
 * openid-client v6 as the relying party of a listening issuer, end to end: the RP does
 * everything an RP does (discovery, PKCE + state + nonce, the code grant with ID token and
 * RFC 9207 `iss` validation, UserInfo, refresh, introspection, RP-initiated logout), while the
 * person's part is played over real HTTP with `fetch` and a cookie jar through the same pages a
 * browser gets: /authorize, the login form, the consent form (one scope unticked), back to
 * the app. Every error path a client can hit is checked with its exact code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { APP_SECRET, csrfTokenOf, PASSWORD, REDIRECT } from '../../src/testing/browser-flow.js';
import { FormBrowser, redirectLocation } from '../../src/testing/form-browser.js';
import { testConfigDocument } from '../../src/testing/harness.js';
import { type ListeningIssuer, startListeningIssuer } from '../../src/testing/listening-issuer.js';

const OTHER_REDIRECT = 'https://app.test/other-callback';
const SIGNED_OUT = 'https://app.test/signed-out';
/** What the app asks for; `roles` is not in its registered scope, so it is dropped. */
const REQUESTED = 'openid profile email roles offline_access orders:read';

const config = testConfigDocument({
  clients: [
    {
      client_id: 'web-app',
      client_name: 'Web App',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT, OTHER_REDIRECT],
      post_logout_redirect_uris: [SIGNED_OUT],
      // OpenID scopes beside the API scope: the app may not have `roles`.
      scope: 'openid profile email offline_access orders:read',
    },
    // Named by the test config's opaque API as its introspection client.
    { client_id: 'resource-server', client_secret: APP_SECRET, scope: '' },
  ],
  users: [{ username: 'alice', name: 'Alice Example', email: 'alice@example.test', password: PASSWORD }],
});

/** The scopes the consent page offers to untick (`openid` is not among them). */
function offeredScopes(page: string): string[] {
  return [...page.matchAll(/type="checkbox" id="[^"]*" name="scope" value="([^"]+)"/g)].map((m) => m[1]!);
}

/** What the RP keeps between sending the person away and the callback. */
interface Checks {
  pkceCodeVerifier: string;
  expectedState: string;
  expectedNonce: string;
}

async function authorizationRequest(
  rp: client.Configuration,
  parameters: Record<string, string> = {},
): Promise<{ url: URL; checks: Checks }> {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedState = client.randomState();
  const expectedNonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(rp, {
    redirect_uri: REDIRECT,
    scope: REQUESTED,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: expectedState,
    nonce: expectedNonce,
    ...parameters,
  });
  return { url, checks: { pkceCodeVerifier, expectedState, expectedNonce } };
}

for (const backend of storeBackends()) {
  describe(`interop: openid-client through the sign-in pages (${backend.name})`, {
    skip: backend.skipReason,
  }, () => {
    let server: ListeningIssuer;
    let url: string;
    let rp: client.Configuration;
    before(async () => {
      server = await startListeningIssuer(config, { store: await backend.open() });
      url = server.url;
      // No id_token_signed_response_alg: openid-client then accepts what discovery lists in
      // id_token_signing_alg_values_supported, and our default is RS256.
      rp = await client.discovery(new URL(url), 'web-app', undefined, client.ClientSecretBasic(APP_SECRET), {
        execute: [client.allowInsecureRequests],
      });
    });
    after(async () => {
      await server?.close();
    });

    /** Signs alice in on the login page; returns where the login POST sent the browser. */
    async function signIn(browser: FormBrowser, loginUrl: URL): Promise<URL> {
      assert.equal(loginUrl.pathname, '/login');
      const page = await browser.get(loginUrl);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      const html = await page.text();
      assert.match(html, /^<!doctype html>\n<html lang="en">/);
      return redirectLocation(
        await browser.post('/login', {
          csrf_token: csrfTokenOf(html),
          interaction_id: loginUrl.searchParams.get('interaction')!,
          username: 'alice',
          password: PASSWORD,
        }),
        url,
      );
    }

    /**
     * Drives the browser from the authorization URL back to the app: sign-in when needed, and
     * consent with `keep` (all offered scopes when omitted). Returns the callback URL.
     */
    async function authorizeInBrowser(browser: FormBrowser, start: URL, keep?: string[]): Promise<URL> {
      let next = redirectLocation(await browser.get(start), url);
      for (let hop = 0; hop < 6; hop++) {
        if (next.href.startsWith(REDIRECT) || next.href.startsWith(OTHER_REDIRECT)) return next;
        if (next.pathname === '/login') {
          next = await signIn(browser, next);
        } else if (next.pathname === '/consent') {
          const page = await browser.get(next);
          assert.equal(page.status, 200);
          const html = await page.text();
          // ui_locales=de-CH en: no German text, so the first supported locale, English.
          assert.match(html, /^<!doctype html>\n<html lang="en">/);
          const offered = offeredScopes(html);
          next = redirectLocation(
            await browser.post('/consent', {
              csrf_token: csrfTokenOf(html),
              interaction_id: next.searchParams.get('interaction')!,
              scope: keep ?? offered,
              decision: 'approve',
            }),
            url,
          );
        } else {
          next = redirectLocation(await browser.get(next), url);
        }
      }
      assert.fail(`the browser never got back to the app (last at ${next.href})`);
    }

    const isActive = async (token: string) => (await client.tokenIntrospection(rp, token)).active;
    const rejectsWith = (promise: Promise<unknown>, code: string) =>
      assert.rejects(promise, (error: unknown) => {
        assert.ok(
          error instanceof client.ResponseBodyError || error instanceof client.AuthorizationResponseError,
          `expected an OAuth error response, got ${String(error)}`,
        );
        assert.equal(error.error, code);
        return true;
      });

    describe('the code flow', () => {
      let alice: FormBrowser;
      let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

      before(() => {
        alice = new FormBrowser(url);
      });

      it('signs in, takes partial consent and redeems the code with every RP check', async () => {
        const { url: start, checks } = await authorizationRequest(rp, { ui_locales: 'de-CH en' });
        const loginUrl = redirectLocation(await alice.get(start), url);
        const afterLogin = await signIn(alice, loginUrl);
        assert.equal(afterLogin.pathname, '/authorize');
        const consentUrl = redirectLocation(await alice.get(afterLogin), url);
        assert.equal(consentUrl.pathname, '/consent');
        const page = await (await alice.get(consentUrl)).text();
        // `roles` is not the app's to ask for; `openid` cannot be unticked.
        assert.deepEqual(offeredScopes(page).sort(), ['email', 'offline_access', 'orders:read', 'profile']);
        const callback = redirectLocation(
          await alice.post('/consent', {
            csrf_token: csrfTokenOf(page),
            interaction_id: consentUrl.searchParams.get('interaction')!,
            scope: ['profile', 'offline_access', 'orders:read'], // email unticked
            decision: 'approve',
          }),
          url,
        );
        assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT);
        assert.equal(callback.searchParams.get('iss'), url, 'RFC 9207');

        // openid-client checks state, iss, the ID token (signature from jwks_uri, iss, aud,
        // exp, iat, nonce, at_hash) and sends the PKCE verifier.
        tokens = await client.authorizationCodeGrant(rp, callback, { ...checks, idTokenExpected: true });
        assert.equal(tokens.token_type.toLowerCase(), 'bearer');
        assert.equal(tokens.scope, 'openid profile offline_access orders:read');
        assert.ok(tokens.refresh_token, 'offline_access with refresh_token registered');
        assert.equal(tokens.access_token.split('.').length, 3, 'orders:read is a JWT API');
        assert.equal(decodeProtectedHeader(tokens.id_token!).alg, 'RS256', 'the ID-token default');
        const claims = tokens.claims()!;
        const alice1 = await server.issuer.context.store.users.findByUsername('alice');
        assert.equal(claims.sub, alice1!.id);
        assert.equal(claims['nonce'], checks.expectedNonce);
        assert.ok(typeof claims['sid'] === 'string');
        assert.deepEqual(claims['amr'], ['pwd']);
      });

      it('reads UserInfo with exactly the consented claims', async () => {
        const sub = tokens.claims()!.sub;
        const info = await client.fetchUserInfo(rp, tokens.access_token, sub);
        assert.equal(info.sub, sub);
        assert.equal(info.name, 'Alice Example');
        assert.equal(info.preferred_username, 'alice');
        assert.equal(info.email, undefined, 'email was unticked on the consent page');
        assert.equal(info['roles'], undefined, 'roles was never the app’s to ask for');
        assert.equal(await isActive(tokens.access_token), true);
      });

      it('rotates the refresh token, then kills the family when the old one is reused', async () => {
        const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
        assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
        assert.equal(refreshed.claims()?.sub, tokens.claims()!.sub);
        assert.equal(await isActive(refreshed.access_token), true);

        // RFC 9700 §4.14.2: the rotated token again means two holders; the family dies.
        await rejectsWith(client.refreshTokenGrant(rp, tokens.refresh_token!), 'invalid_grant');
        await rejectsWith(client.refreshTokenGrant(rp, refreshed.refresh_token!), 'invalid_grant');
        assert.equal(await isActive(refreshed.access_token), false, 'JWT deny-listed');
        assert.equal(await isActive(tokens.access_token), false, 'JWT deny-listed');
      });

      it('returns straight to the app with a code while signed in and consent covers the request', async () => {
        const { url: start, checks } = await authorizationRequest(rp, {
          scope: 'openid profile orders:read',
        });
        const callback = redirectLocation(await alice.get(start), url);
        assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT);
        const again = await client.authorizationCodeGrant(rp, callback, checks);
        assert.equal(again.scope, 'openid profile orders:read');
      });
    });

    describe('error paths, each with its exact code', () => {
      let alice: FormBrowser;
      before(async () => {
        alice = new FormBrowser(url);
        // Signed in with consent to everything offered: later requests come straight back.
        const { url: start } = await authorizationRequest(rp);
        await authorizeInBrowser(alice, start);
      });

      it('refuses a wrong PKCE verifier with invalid_grant', async () => {
        const { url: start, checks } = await authorizationRequest(rp);
        const callback = await authorizeInBrowser(alice, start);
        const wrong = { ...checks, pkceCodeVerifier: client.randomPKCECodeVerifier() };
        await rejectsWith(client.authorizationCodeGrant(rp, callback, wrong), 'invalid_grant');
      });

      it('refuses a code redeemed twice and revokes what the first redemption issued', async () => {
        const { url: start, checks } = await authorizationRequest(rp);
        const callback = await authorizeInBrowser(alice, start);
        const first = await client.authorizationCodeGrant(rp, callback, checks);
        assert.equal(await isActive(first.access_token), true);
        await rejectsWith(client.authorizationCodeGrant(rp, callback, checks), 'invalid_grant');
        assert.equal(await isActive(first.access_token), false, 'JWT access token deny-listed');
        assert.equal(await isActive(first.refresh_token!), false);
        await rejectsWith(client.refreshTokenGrant(rp, first.refresh_token!), 'invalid_grant');
      });

      it('refuses a redirect_uri other than the authorization request’s with invalid_grant', async () => {
        const { url: start, checks } = await authorizationRequest(rp);
        const callback = await authorizeInBrowser(alice, start);
        // openid-client sends the callback URL without its query as redirect_uri.
        const elsewhere = new URL(`${OTHER_REDIRECT}${callback.search}`);
        await rejectsWith(client.authorizationCodeGrant(rp, elsewhere, checks), 'invalid_grant');
      });

      it('answers prompt=none without a session with a login_required redirect', async () => {
        const { url: start, checks } = await authorizationRequest(rp, { prompt: 'none' });
        const res = await new FormBrowser(url).get(start);
        const callback = redirectLocation(res, url);
        assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT);
        assert.equal(callback.searchParams.get('error'), 'login_required');
        assert.equal(callback.searchParams.get('state'), checks.expectedState);
        await rejectsWith(client.authorizationCodeGrant(rp, callback, checks), 'login_required');
      });

      it('shows an error page, and redirects nowhere, for an unregistered redirect_uri', async () => {
        const { url: start } = await authorizationRequest(rp, { redirect_uri: 'https://evil.test/cb' });
        const res = await new FormBrowser(url).get(start);
        assert.equal(res.status, 400);
        assert.equal(res.headers.get('location'), null);
        assert.match(String(res.headers.get('content-type')), /^text\/html/);
        assert.doesNotMatch(await res.text(), /evil\.test/);
      });

      it('redirects unsupported_response_type for response_type=token', async () => {
        const { url: start, checks } = await authorizationRequest(rp);
        start.searchParams.set('response_type', 'token');
        const callback = redirectLocation(await new FormBrowser(url).get(start), url);
        assert.equal(callback.searchParams.get('error'), 'unsupported_response_type');
        assert.equal(callback.searchParams.get('iss'), url);
        await rejectsWith(client.authorizationCodeGrant(rp, callback, checks), 'unsupported_response_type');
      });

      it('redirects invalid_request for code_challenge_method=plain', async () => {
        const verifier = client.randomPKCECodeVerifier();
        const { url: start, checks } = await authorizationRequest(rp, {
          code_challenge: verifier,
          code_challenge_method: 'plain',
        });
        const callback = redirectLocation(await new FormBrowser(url).get(start), url);
        assert.equal(callback.searchParams.get('error'), 'invalid_request');
        await rejectsWith(client.authorizationCodeGrant(rp, callback, checks), 'invalid_request');
      });
    });

    describe('RP-initiated logout', () => {
      it('signs the person out through end_session_endpoint and returns to the app with state', async () => {
        const browser = new FormBrowser(url);
        const { url: start, checks } = await authorizationRequest(rp, { scope: 'openid profile' });
        const callback = await authorizeInBrowser(browser, start);
        const tokens = await client.authorizationCodeGrant(rp, callback, checks);

        const state = client.randomState();
        const endSession = client.buildEndSessionUrl(rp, {
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: SIGNED_OUT,
          state,
        });
        const confirm = await browser.get(endSession);
        assert.equal(confirm.status, 200, 'asks before signing out');
        const html = await confirm.text();
        const logoutId = /name="logout_id" value="([^"]+)"/.exec(html)?.[1];
        assert.ok(logoutId);
        const back = redirectLocation(
          await browser.post('/logout', {
            csrf_token: csrfTokenOf(html),
            logout_id: logoutId,
            decision: 'logout',
          }),
          url,
        );
        assert.equal(`${back.origin}${back.pathname}`, SIGNED_OUT);
        assert.equal(back.searchParams.get('state'), state);

        // The session is gone, and with it the tokens it issued without offline_access.
        const silent = await authorizationRequest(rp, { prompt: 'none', scope: 'openid profile' });
        const answer = redirectLocation(await browser.get(silent.url), url);
        assert.equal(answer.searchParams.get('error'), 'login_required');
        assert.equal(await isActive(tokens.access_token), false);
      });
    });
  });
}
