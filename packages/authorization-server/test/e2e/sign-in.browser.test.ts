/**
 * A person in a real browser (Debian's Chromium, driven by playwright-core, JavaScript off):
 * an app sends them to sign in, they untick a scope on the consent page and approve, the app
 * redeems the code with openid-client, then the person revokes the app's access on the account
 * page and the app's tokens die at once. Screenshots of each page land in `screenshots/`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import type { Page } from 'playwright-core';
import {
  chromiumSkipReason,
  type LaunchedChromium,
  launchChromium,
  saveScreenshot,
} from '../../src/testing/chromium.js';
import { type ListeningIssuer, startListeningIssuer } from '../../src/testing/listening-issuer.js';
import { type RelyingPartyServer, startRelyingPartyServer } from '../../src/testing/relying-party-server.js';

const APP_SECRET = 'e2e-web-app-secret-0123456789abcdefghijkl';
const PASSWORD = 'correct horse battery staple';

/** Every visible form control has a label the browser associates with it (its accessible name). */
async function assertInputsLabelled(page: Page): Promise<void> {
  const controls = page.locator('input:not([type="hidden"]), select, textarea');
  const count = await controls.count();
  for (let i = 0; i < count; i += 1) {
    const control = controls.nth(i);
    const id = await control.getAttribute('id');
    assert.ok(id, 'every control has an id');
    assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `a label for #${id}`);
  }
  assert.equal(await page.locator('script').count(), 0, 'no script on the page');
  assert.ok((await page.locator('html').getAttribute('lang')) !== null, 'the page names its language');
}

const skip = chromiumSkipReason();

describe('browser: sign in, partial consent, then revoke on the account page', {
  skip,
  timeout: 90_000,
}, () => {
  let chromium: LaunchedChromium;
  let server: ListeningIssuer;
  let issuerUrl: string;
  let notesApp: RelyingPartyServer;
  let callbackUrl: string;

  before(async () => {
    notesApp = await startRelyingPartyServer();
    callbackUrl = `${notesApp.origin}/callback`;
    // The issuer opens (and closes) its own SQLite store in the data directory, as in production.
    server = await startListeningIssuer({
      resources: [
        {
          id: 'https://notes.example',
          scopes: ['notes:read'],
          // A JWT (RFC 9068), the harder case: revoking the grant must deny-list it.
          token_format: 'jwt',
          introspection_clients: ['notes-api'],
        },
      ],
      clients: [
        {
          client_id: 'notes-app',
          client_name: 'Acme Notes',
          client_secret: APP_SECRET,
          grant_types: ['authorization_code', 'refresh_token'],
          redirect_uris: [callbackUrl],
          scope: 'notes:read',
          // Named on both sides, so the test does not depend on the server's default.
          id_token_signed_response_alg: 'ES256',
        },
        { client_id: 'notes-api', client_secret: APP_SECRET, scope: '' },
      ],
      users: [{ username: 'alice', name: 'Alice Example', email: 'alice@example.test', password: PASSWORD }],
    });
    issuerUrl = server.url;
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
    await notesApp?.close();
  });

  it('signs in, grants all but email, and sees the grant die when revoked', async () => {
    const rp = await client.discovery(
      new URL(issuerUrl),
      'notes-app',
      { id_token_signed_response_alg: 'ES256' },
      client.ClientSecretBasic(APP_SECRET),
      { execute: [client.allowInsecureRequests] },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(rp, {
      redirect_uri: callbackUrl,
      scope: 'openid profile email notes:read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });

    // No JavaScript: the pages must work as plain HTML forms.
    const context = await chromium.browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1024, height: 768 },
    });
    const page = await context.newPage();

    await page.goto(authorizationUrl.href);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.locator('h1').textContent(), 'Sign in');
    await assertInputsLabelled(page);
    await saveScreenshot(page, 'login');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.waitForURL((url) => url.pathname === '/consent');
    assert.match((await page.locator('h1').textContent()) ?? '', /Acme Notes wants to access your account/);
    await assertInputsLabelled(page);
    const email = page.locator('input[type="checkbox"][value="email"]');
    assert.equal(await email.isChecked(), true);
    await email.uncheck();
    await saveScreenshot(page, 'consent');
    await page.getByRole('button', { name: 'Approve' }).click();

    await page.waitForURL((url) => url.href.startsWith(callbackUrl));
    const landed = notesApp.lastVisit('/callback');
    assert.ok(landed.searchParams.get('code'), 'the app received a code');
    assert.equal(landed.searchParams.get('iss'), issuerUrl);

    const tokens = await client.authorizationCodeGrant(rp, landed, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert.deepEqual(tokens.scope?.split(' ').sort(), ['notes:read', 'openid', 'profile']);
    assert.equal(tokens.claims()?.['email'], undefined);
    assert.ok(tokens.refresh_token, 'a refresh token');
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.scope, 'openid profile notes:read', 'the JWT carries only the approved scopes');
    const introspected = await client.tokenIntrospection(rp, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(
      introspected.scope,
      'openid profile notes:read',
      'the token carries only the approved scopes',
    );
    const info = await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    assert.equal(info.name, 'Alice Example');
    assert.equal(info.email, undefined, 'email was not approved');

    await page.goto(`${issuerUrl}/account`);
    assert.equal(await page.locator('h1').textContent(), 'Your account');
    const app = page.locator('li.row', { hasText: 'Acme Notes' });
    assert.equal(await app.count(), 1, 'the grant is listed');
    const can = (await app.locator('dd').first().textContent()) ?? '';
    assert.match(can, /See your profile/);
    assert.doesNotMatch(can, /email/i);
    assert.equal(await page.getByText('This device', { exact: true }).count(), 1);
    await assertInputsLabelled(page);
    await saveScreenshot(page, 'account');

    await app.getByRole('button', { name: /Revoke/ }).click();
    await page.waitForURL(
      (url) => url.pathname === '/account' && url.searchParams.get('notice') === 'grant-revoked',
    );
    assert.match((await page.getByRole('status').textContent()) ?? '', /access was revoked/);
    assert.equal(await page.locator('li.row', { hasText: 'Acme Notes' }).count(), 0);
    await saveScreenshot(page, 'account-revoked');

    assert.equal((await client.tokenIntrospection(rp, tokens.access_token)).active, false);
    assert.equal((await client.tokenIntrospection(rp, tokens.refresh_token)).active, false);
    await assert.rejects(client.refreshTokenGrant(rp, tokens.refresh_token), (error: unknown) => {
      assert.ok(error instanceof client.ResponseBodyError);
      assert.equal(error.error, 'invalid_grant');
      return true;
    });
    await context.close();
  });
});
