import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { SERVICE_SECRET } from './harness.js';

/** Fixtures for tests of the browser flow (/authorize, /login, /consent, /par). */

export const APP_SECRET = 'web-app-secret-0123456789abcdefghijklmnop';
export const REDIRECT = 'https://app.test/callback';
export const PASSWORD = 'correct horse battery staple';
export const VERIFIER = 'verifier-0123456789abcdefghijklmnopqrstuvwxyz-0123456789';
export const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

/** The test config's web app and its user. */
export const browserFlowConfig = {
  clients: [
    {
      client_id: 'web-app',
      client_name: 'Web App',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT],
    },
    {
      client_id: 'par-only',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT],
      require_pushed_authorization_requests: true,
    },
    { client_id: 'service', client_secret: SERVICE_SECRET, grant_types: ['client_credentials'], scope: '' },
    { client_id: 'resource-server', client_secret: SERVICE_SECRET, scope: '' },
  ],
  users: [
    { username: 'alice', name: 'Alice Example', password: PASSWORD },
    { username: 'bob', name: 'Bob Example', password: PASSWORD },
  ],
};

/** A browser's cookie jar, kept by hand between inject() calls. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: LightMyRequestResponse): void {
    const header = res.headers['set-cookie'];
    for (const line of Array.isArray(header) ? header : header ? [header] : []) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

export function authorizeQuery(extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
}

export function csrfTokenOf(html: string): string {
  const match = /name="csrf_token" value="([^"]+)"/.exec(html);
  assert.ok(match, 'the page has a CSRF field');
  return match[1]!;
}
