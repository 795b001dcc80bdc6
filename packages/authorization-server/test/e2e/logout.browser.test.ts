/**
 * Signing out in a real browser (Debian's Chromium, driven by playwright-core, JavaScript
 * off): an app that signed the person in sends them to the end_session_endpoint with its ID
 * token; they confirm on the page and land back at the app with its `state`, which a real
 * browser allows only because the page's CSP form-action names the app's origin. The app's
 * back-channel endpoint receives a logout token that verifies against the JWKS. Screenshots of
 * the confirmation and signed-out pages land in `screenshots/`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import {
  chromiumSkipReason,
  type LaunchedChromium,
  launchChromium,
  saveScreenshot,
} from '../../src/testing/chromium.js';
import { type ListeningIssuer, startListeningIssuer } from '../../src/testing/listening-issuer.js';
import { type RelyingPartyServer, startRelyingPartyServer } from '../../src/testing/relying-party-server.js';

const APP_SECRET = 'e2e-logout-app-secret-0123456789abcdefghi';
const PASSWORD = 'correct horse battery staple';

const skip = chromiumSkipReason();

describe('browser: sign out from the app, confirm, and the app hears of it', {
  skip,
  timeout: 90_000,
}, () => {
  let chromium: LaunchedChromium;
  let server: ListeningIssuer;
  let issuerUrl: string;
  let app: RelyingPartyServer;

  before(async () => {
    app = await startRelyingPartyServer();
    server = await startListeningIssuer({
      clients: [
        {
          client_id: 'notes-app',
          client_name: 'Acme Notes',
          client_secret: APP_SECRET,
          grant_types: ['authorization_code'],
          redirect_uris: [`${app.origin}/callback`],
          post_logout_redirect_uris: [`${app.origin}/signed-out`],
          backchannel_logout_uri: `${app.origin}/backchannel-logout`,
        },
      ],
      users: [{ username: 'alice', name: 'Alice Example', password: PASSWORD }],
    });
    issuerUrl = server.url;
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
    await app?.close();
  });

  it('signs in, signs out through the confirmation page, and lands back at the app with state', async () => {
    const rp = await client.discovery(
      new URL(issuerUrl),
      'notes-app',
      undefined,
      client.ClientSecretBasic(APP_SECRET),
      { execute: [client.allowInsecureRequests] },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(rp, {
      redirect_uri: `${app.origin}/callback`,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const context = await chromium.browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1024, height: 768 },
    });
    const page = await context.newPage();
    await page.goto(authorizationUrl.href);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/consent');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL((url) => url.pathname === '/callback');
    const tokens = await client.authorizationCodeGrant(rp, app.lastVisit('/callback'), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      idTokenExpected: true,
    });
    const sid = tokens.claims()?.['sid'];
    assert.equal(typeof sid, 'string');

    const logoutState = client.randomState();
    await page.goto(
      client.buildEndSessionUrl(rp, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: `${app.origin}/signed-out`,
        state: logoutState,
      }).href,
    );
    assert.equal(await page.locator('h1').textContent(), 'Sign out of Gatehouse?');
    assert.match((await page.locator('p.lead').textContent()) ?? '', /Acme Notes asked to sign you out/);
    assert.equal(await page.locator('script').count(), 0);
    await saveScreenshot(page, 'logout-confirm');
    assert.equal(app.logoutTokens.length, 0, 'showing the question ended nothing');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/signed-out');
    assert.equal(app.lastVisit('/signed-out').searchParams.get('state'), logoutState);

    await server.issuer.context.backchannelLogout.idle();
    assert.equal(app.logoutTokens.length, 1);
    const { payload } = await jwtVerify(
      app.logoutTokens[0]!,
      createRemoteJWKSet(new URL(rp.serverMetadata().jwks_uri!)),
      {
        issuer: issuerUrl,
        audience: 'notes-app',
        typ: 'logout+jwt',
      },
    );
    assert.equal(payload['sid'], sid);

    // Signed out: the next authorization request asks for a password again.
    await page.goto(authorizationUrl.href);
    assert.equal(new URL(page.url()).pathname, '/login');

    // Without a session a logout completes at once: the signed-out page.
    await page.goto(`${issuerUrl}/logout`);
    assert.equal(await page.locator('h1').textContent(), 'You have signed out');
    await saveScreenshot(page, 'signed-out');
    await context.close();
  });
});
