/**
 * Signing out in a real browser (Debian's Chromium, driven by playwright-core, JavaScript
 * off): an app that signed the person in sends them to the end_session_endpoint with its ID
 * token; they confirm on the page and land back at the app with its `state`, which a real
 * browser allows only because the page's CSP form-action names the app's origin. The app's
 * back-channel endpoint receives a logout token that verifies against the JWKS. Screenshots of
 * the confirmation and signed-out pages land in `screenshots/`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIssuer, type Issuer, validateConfig } from '@gatehouse/authorization-server';
import { createSilentLogger } from '@gatehouse/core';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Page } from 'playwright-core';
import {
  chromiumSkipReason,
  type LaunchedChromium,
  launchChromium,
  screenshotPath,
} from '../../src/testing/chromium.js';
import { TEST_MASTER_KEY } from '../../src/testing/harness.js';

const APP_SECRET = 'e2e-logout-app-secret-0123456789abcdefghi';
const PASSWORD = 'correct horse battery staple';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

/** The relying party: its callback, its signed-out page and its back-channel logout endpoint. */
async function startApp(): Promise<{
  server: Server;
  origin: string;
  visits: URL[];
  logoutTokens: string[];
}> {
  const visits: URL[] = [];
  const logoutTokens: string[] = [];
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = createHttpServer((request, response) => {
    const at = new URL(request.url ?? '/', origin);
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      if (request.method === 'POST' && at.pathname === '/backchannel-logout') {
        const token = new URLSearchParams(body).get('logout_token');
        if (token) logoutTokens.push(token);
        response.writeHead(200, { 'cache-control': 'no-store' }).end();
        return;
      }
      visits.push(at);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end('<!doctype html><title>Notes</title><h1>Back at the app</h1>');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, origin, visits, logoutTokens };
}

async function shoot(page: Page, name: string): Promise<void> {
  const path = screenshotPath(name);
  await page.screenshot({ path, fullPage: true });
  assert.ok(existsSync(path) && statSync(path).size > 1000, `screenshot ${name} written`);
}

const skip = chromiumSkipReason();

describe('browser: sign out from the app, confirm, and the app hears of it', {
  skip,
  timeout: 90_000,
}, () => {
  let chromium: LaunchedChromium;
  let issuer: Issuer;
  let issuerUrl: string;
  let dataDir: string;
  let app: Awaited<ReturnType<typeof startApp>>;

  before(async () => {
    app = await startApp();
    const port = await freePort();
    issuerUrl = `http://127.0.0.1:${port}`;
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
    const config = validateConfig({
      issuer: issuerUrl,
      listen: { host: '127.0.0.1', port },
      data_dir: dataDir,
      log_level: 'silent',
      request_logging: false,
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
    issuer = await createIssuer(config, {
      env: { GATEHOUSE_MASTER_KEY: TEST_MASTER_KEY },
      logger: createSilentLogger(),
    });
    await issuer.app.listen({ host: '127.0.0.1', port });
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await issuer?.close();
    app?.server.closeAllConnections();
    await new Promise<void>((resolve) => (app ? app.server.close(() => resolve()) : resolve()));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The app's last request for `path` (the browser also asks it for a favicon). */
  const lastVisit = (path: string): URL => {
    const visit = app.visits.findLast((url) => url.pathname === path);
    assert.ok(visit, `the browser reached ${path}`);
    return visit;
  };

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
    const tokens = await client.authorizationCodeGrant(rp, lastVisit('/callback'), {
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
    await shoot(page, 'logout-confirm');
    assert.equal(app.logoutTokens.length, 0, 'showing the question ended nothing');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/signed-out');
    assert.equal(lastVisit('/signed-out').searchParams.get('state'), logoutState);

    await issuer.context.backchannelLogout.idle();
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
    await shoot(page, 'signed-out');
    await context.close();
  });
});
