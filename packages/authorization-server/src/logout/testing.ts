import { epochSeconds, generateRandomToken } from '@gatehouse/core';
import type { SessionRecord, UserRecord } from '@gatehouse/store';
import { SESSION_COOKIE } from '../sessions/session-cookie.js';
import { startSession } from '../sessions/session-service.js';
import { CHALLENGE } from '../testing/browser-flow.js';
import type { TestIssuer } from '../testing/harness.js';
import { issueIdToken } from '../tokens/id-token.js';
import type { LogoutTokenDelivery } from './backchannel.js';

/** Fixtures for the logout tests: clients with post-logout redirects and back-channel URIs. */

export const APP_SECRET = 'logout-app-secret-0123456789abcdefghijklmn';
export const PASSWORD = 'correct horse battery staple';

export function logoutClients(backchannel: { app?: string; notes?: string; quiet?: string } = {}) {
  return [
    {
      client_id: 'web-app',
      client_name: 'Web App',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code'],
      redirect_uris: ['https://app.test/callback'],
      post_logout_redirect_uris: ['https://app.test/bye', 'https://app.test/bye?from=gatehouse'],
      backchannel_logout_uri: backchannel.app ?? 'https://app.test/backchannel-logout',
      client_uri: 'https://app.test/',
    },
    {
      client_id: 'notes',
      client_name: 'Notes',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code'],
      redirect_uris: ['https://notes.test/callback'],
      post_logout_redirect_uris: ['https://notes.test/bye'],
      backchannel_logout_uri: backchannel.notes ?? 'https://notes.test/logout',
      backchannel_logout_session_required: true,
    },
    {
      client_id: 'quiet',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code'],
      redirect_uris: ['https://quiet.test/callback'],
      ...(backchannel.quiet ? { backchannel_logout_uri: backchannel.quiet } : {}),
    },
    {
      client_id: 'service',
      client_secret: APP_SECRET,
      grant_types: ['client_credentials'],
      scope: 'orders:read',
    },
    { client_id: 'resource-server', client_secret: APP_SECRET, scope: '' },
  ];
}

export const logoutUsers = [
  { username: 'alice', name: 'Alice Example', password: PASSWORD },
  { username: 'bob', name: 'Bob Example', password: PASSWORD },
];

export interface Browser {
  user: UserRecord;
  session: SessionRecord;
  /** The `Cookie` header carrying the session. */
  cookie: string;
}

/** Signs a user in as /login would, returning the session and its cookie. */
export async function signInBrowser(t: TestIssuer, username = 'alice'): Promise<Browser> {
  const ctx = t.issuer.context;
  const user = (await ctx.store.users.findByUsername(username))!;
  const { record, cookieValue } = await startSession(ctx, {
    user,
    amr: ['pwd'],
    acr: null,
    authTime: epochSeconds(ctx.clock),
  });
  return { user, session: record, cookie: `${SESSION_COOKIE}=${cookieValue}` };
}

/** Records that `clientId` signed in through the session, as /authorize does by issuing a code. */
export async function signInToClient(t: TestIssuer, browser: Browser, clientId: string): Promise<void> {
  const ctx = t.issuer.context;
  const now = epochSeconds(ctx.clock);
  await ctx.store.authorizationCodes.insert({
    digest: generateRandomToken(32),
    clientId,
    userId: browser.user.id,
    sessionId: browser.session.id,
    grantId: null,
    redirectUri: `https://${clientId}.test/callback`,
    scope: 'openid',
    resource: [],
    nonce: null,
    codeChallenge: CHALLENGE,
    codeChallengeMethod: 'S256',
    authTime: browser.session.authTime,
    amr: ['pwd'],
    acr: null,
    dpopJkt: null,
    issuedAt: now,
    expiresAt: now + 60,
    consumedAt: null,
    extra: {},
  });
}

/** An ID token for `clientId` from the browser's session, as the token endpoint issues it. */
export async function idTokenFor(t: TestIssuer, browser: Browser, clientId: string): Promise<string> {
  const ctx = t.issuer.context;
  const client = (await ctx.findClient(clientId))!;
  return issueIdToken(ctx, {
    client,
    user: browser.user,
    session: browser.session,
    authTime: browser.session.authTime,
    amr: ['pwd'],
    scopes: ['openid'],
    issuedAt: epochSeconds(ctx.clock),
    lifetime: 300,
  });
}

/** Captures deliveries instead of sending them; `answer` decides how each one ends. */
export function captureDeliveries(
  t: TestIssuer,
  answer: (delivery: LogoutTokenDelivery) => Promise<void> = async () => {},
): LogoutTokenDelivery[] {
  const deliveries: LogoutTokenDelivery[] = [];
  t.issuer.context.backchannelLogout.deliver = (delivery) => {
    deliveries.push(delivery);
    return answer(delivery);
  };
  return deliveries;
}

/** The hidden fields of the logout confirmation form. */
export function confirmationFields(res: { body: string; statusCode?: number }): {
  csrfToken: string;
  logoutId: string;
} {
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(res.body);
  const logoutId = /name="logout_id" value="([^"]+)"/.exec(res.body);
  if (!csrf || !logoutId) throw new Error(`not a logout confirmation page: ${res.statusCode}`);
  return { csrfToken: csrf[1]!, logoutId: logoutId[1]! };
}
