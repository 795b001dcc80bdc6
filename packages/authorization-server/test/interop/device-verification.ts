/**
 * The person's part of the device grant (RFC 8628 §3.3) for the interop tests: the
 * verification page driven by plain HTTP form posts and a cookie jar, as a browser without
 * JavaScript would.
 */
import assert from 'node:assert/strict';
import { PASSWORD } from '../../src/testing/device-flow.js';

/** A browser without JavaScript: fetch, a cookie jar, redirects followed by hand. */
export class FormBrowser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<{ status: number; body: string; location: string | null }> {
    return this.send(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    return this.send(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  private async send(url: string, init: RequestInit) {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      if (/Max-Age=0/i.test(line)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return { status: res.status, body: await res.text(), location: res.headers.get('location') };
  }
}

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
  const browser = new FormBrowser();
  const login = await browser.get(verificationUriComplete);
  assert.equal(login.status, 200);
  assert.match(login.body, /<h1>Sign in<\/h1>/);
  const signedIn = await browser.post(new URL('/device/login', verificationUriComplete).href, {
    csrf_token: field(login.body, 'csrf_token'),
    interaction_id: field(login.body, 'interaction_id'),
    username: 'alice',
    password: PASSWORD,
  });
  assert.equal(signedIn.status, 303);
  const consent = await browser.get(signedIn.location!);
  assert.equal(consent.status, 200);
  assert.match(consent.body, /Gatehouse CLI/);
  const done = await browser.post(new URL('/device/decision', verificationUriComplete).href, {
    csrf_token: field(consent.body, 'csrf_token'),
    user_code: field(consent.body, 'user_code'),
    decision,
    scope: scopes,
  });
  assert.equal(done.status, 200);
  return done.body;
}
