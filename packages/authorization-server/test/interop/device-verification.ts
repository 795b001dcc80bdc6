/**
 * The person's part of the device grant (RFC 8628 §3.3) for the interop tests: the
 * verification page driven by plain HTTP form posts and a cookie jar, as a browser without
 * JavaScript would.
 */
import assert from 'node:assert/strict';
import { PASSWORD } from '../../src/testing/device-flow.js';
import { FormBrowser } from '../../src/testing/form-browser.js';

function field(body: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]+)"`).exec(body);
  assert.ok(match, `the page has a ${name} field`);
  return match[1]!;
}

/** The person's part: open verification_uri_complete, sign in, then Approve or Deny. */
export async function decideInBrowser(
  verificationUriComplete: string,
  decision: 'approve' | 'deny',
  scopes: string[],
): Promise<string> {
  const browser = new FormBrowser(new URL(verificationUriComplete).origin);
  const login = await browser.get(verificationUriComplete);
  const loginPage = await login.text();
  assert.equal(login.status, 200);
  assert.match(loginPage, /<h1>Sign in<\/h1>/);
  const signedIn = await browser.post('/device/login', {
    csrf_token: field(loginPage, 'csrf_token'),
    interaction_id: field(loginPage, 'interaction_id'),
    username: 'alice',
    password: PASSWORD,
  });
  assert.equal(signedIn.status, 303);
  const consent = await browser.get(signedIn.headers.get('location')!);
  const consentPage = await consent.text();
  assert.equal(consent.status, 200);
  assert.match(consentPage, /Gatehouse CLI/);
  const done = await browser.post('/device/decision', {
    csrf_token: field(consentPage, 'csrf_token'),
    user_code: field(consentPage, 'user_code'),
    decision,
    scope: scopes,
  });
  assert.equal(done.status, 200);
  return done.text();
}
