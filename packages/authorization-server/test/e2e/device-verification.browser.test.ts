/**
 * The device grant with a person in a real browser (Debian's Chromium through playwright-core,
 * JavaScript off): a command-line client starts a device authorization with oauth4webapi and
 * polls in the background; meanwhile the person opens the verification page, types the code
 * (lower case, no dash), signs in, checks which client on which device asks, and approves.
 * The poll then ends with tokens. A screenshot of the verification page lands in
 * `screenshots/device-verification.png`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oauth from 'oauth4webapi';
import {
  chromiumSkipReason,
  type LaunchedChromium,
  launchChromium,
  saveScreenshot,
} from '../../src/testing/chromium.js';
import { type ListeningIssuer, startListeningIssuer } from '../../src/testing/listening-issuer.js';

const PASSWORD = 'correct horse battery staple';
const DEVICE_USER_AGENT = 'notes-cli/2.1 (Linux x86_64)';

/**
 * The device's side of RFC 8628 §3.4/§3.5: poll every `interval` seconds, 5 more after each
 * slow_down, until tokens or an error other than authorization_pending. Records each answer.
 */
async function pollUntilDecided(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  device: oauth.DeviceAuthorizationResponse,
  answers: string[],
): Promise<oauth.TokenEndpointResponse> {
  let interval = device.interval ?? 5;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await sleep(interval * 1000);
    const answer = await poll(as, client, device);
    answers.push(answer.error ?? 'tokens');
    if (answer.tokens) return answer.tokens;
    if (answer.error === 'slow_down') interval += 5;
    else if (answer.error !== 'authorization_pending') throw new Error(`the device got ${answer.error}`);
  }
  throw new Error('the device was never approved');
}

/** One device access token request (RFC 8628 §3.4): the tokens, or the error code. */
async function poll(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  device: oauth.DeviceAuthorizationResponse,
): Promise<{ tokens?: oauth.TokenEndpointResponse; error?: string }> {
  const response = await oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code, {
    [oauth.allowInsecureRequests]: true,
    headers: { 'user-agent': DEVICE_USER_AGENT },
  });
  try {
    return { tokens: await oauth.processDeviceCodeResponse(as, client, response) };
  } catch (error) {
    if (!(error instanceof oauth.ResponseBodyError)) throw error;
    return { error: error.error };
  }
}

const skip = chromiumSkipReason();

describe('browser: a person approves a device code on the verification page', {
  skip,
  timeout: 120_000,
}, () => {
  let chromium: LaunchedChromium;
  let server: ListeningIssuer;
  let issuerUrl: string;

  before(async () => {
    server = await startListeningIssuer({
      // One second between polls keeps the test short; the default is 5.
      device: { interval: 1 },
      resources: [
        { id: 'https://notes.example', scopes: ['notes:read', 'notes:write'], token_format: 'jwt' },
      ],
      clients: [
        {
          client_id: 'notes-cli',
          client_name: 'Acme Notes CLI',
          token_endpoint_auth_method: 'none',
          grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
          scope: 'openid profile offline_access notes:read notes:write',
        },
      ],
      users: [{ username: 'alice', name: 'Alice Example', email: 'alice@example.test', password: PASSWORD }],
    });
    issuerUrl = server.url;
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('types the code, signs in, unticks a scope, approves, and the polling device gets tokens', async () => {
    const insecure = { [oauth.allowInsecureRequests]: true } as const;
    const as = await oauth.processDiscoveryResponse(
      new URL(issuerUrl),
      await oauth.discoveryRequest(new URL(issuerUrl), { algorithm: 'oidc', ...insecure }),
    );
    const cli: oauth.Client = { client_id: 'notes-cli' };
    const device = await oauth.processDeviceAuthorizationResponse(
      as,
      cli,
      await oauth.deviceAuthorizationRequest(
        as,
        cli,
        oauth.None(),
        { scope: 'openid profile offline_access notes:read notes:write' },
        { ...insecure, headers: { 'user-agent': DEVICE_USER_AGENT } },
      ),
    );
    // One poll before the person acts, so the device is seen waiting however fast the browser is.
    await sleep((device.interval ?? 5) * 1000);
    const answers = [(await poll(as, cli, device)).error ?? 'tokens'];
    const polling = pollUntilDecided(as, cli, device, answers);
    // Surfaces a polling failure even while the browser part is still running.
    polling.catch(() => {});

    const context = await chromium.browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1024, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(device.verification_uri);
    assert.equal(await page.locator('h1').textContent(), 'Connect a device');
    assert.equal(await page.locator('script').count(), 0);
    await saveScreenshot(page, 'device-code');
    // Case and the dash do not matter.
    await page.getByLabel('Code').fill(device.user_code.replace('-', '').toLowerCase());
    await page.getByRole('button', { name: 'Continue' }).click();

    assert.equal(await page.locator('h1').textContent(), 'Sign in');
    assert.match((await page.locator('.lead').textContent()) ?? '', /Acme Notes CLI/);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.waitForURL((url) => url.pathname === '/device' && url.searchParams.has('user_code'));
    assert.match(
      (await page.locator('h1').textContent()) ?? '',
      /Acme Notes CLI wants to access your account from a device/,
    );
    const facts = (await page.locator('dl.facts').textContent()) ?? '';
    assert.ok(facts.includes(device.user_code), 'the code is shown to compare');
    assert.ok(facts.includes(DEVICE_USER_AGENT), 'the requesting device is named');
    assert.match(facts, /127\.0\.0\.1/);
    assert.equal(answers.includes('tokens'), false, 'nothing is approved before the click');
    const write = page.locator('input[type="checkbox"][value="notes:write"]');
    assert.equal(await write.isChecked(), true);
    await write.uncheck();
    await saveScreenshot(page, 'device-verification');
    await page.getByRole('button', { name: 'Approve' }).click();

    assert.equal(await page.locator('h1').textContent(), 'Device connected');
    await saveScreenshot(page, 'device-approved');
    await context.close();

    const tokens = await polling;
    assert.ok(answers.includes('authorization_pending'), `the device polled while waiting: ${answers}`);
    assert.equal(answers.at(-1), 'tokens');
    assert.deepEqual(tokens.scope?.split(' ').sort(), ['notes:read', 'offline_access', 'openid', 'profile']);
    assert.ok(tokens.refresh_token, 'offline_access brings a refresh token');
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    assert.equal(claims?.aud, 'notes-cli');
    const access = await oauth.validateJwtAccessToken(
      as,
      new Request('https://notes.example/notes', {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      }),
      'https://notes.example',
      insecure,
    );
    assert.equal(access.scope, 'openid profile notes:read', 'notes:write was unticked');
  });
});
