import { epochSeconds, generateRandomToken, keyedDigest } from '@gatehouse/core';
import type { AuthorizationCodeRecord, SessionRecord, UserRecord } from '@gatehouse/store';
import { startSession } from '../sessions/session-service.js';
import { APP_SECRET, CHALLENGE, PASSWORD, REDIRECT, VERIFIER } from './browser-flow.js';
import type { TestIssuer } from './harness.js';

/**
 * Fixtures for the token-endpoint half of the code flow: codes are put in the store directly,
 * as /authorize would after sign-in and consent.
 */
export { APP_SECRET, REDIRECT, VERIFIER };

export const codeFlowConfig = {
  clients: [
    {
      client_id: 'web-app',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
      scope: 'orders:read ledger:read',
    },
    {
      client_id: 'spa',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT, 'https://app.test/other'],
      scope: 'ledger:read',
    },
    {
      client_id: 'no-refresh',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT],
    },
    { client_id: 'resource-server', client_secret: APP_SECRET, scope: '' },
  ],
  users: [{ username: 'alice', name: 'Alice Example', email: 'alice@example.test', password: PASSWORD }],
};

export interface SignedIn {
  user: UserRecord;
  session: SessionRecord;
}

export async function signIn(t: TestIssuer, username = 'alice'): Promise<SignedIn> {
  const ctx = t.issuer.context;
  const user = (await ctx.store.users.findByUsername(username))!;
  const { record } = await startSession(ctx, {
    user,
    amr: ['pwd'],
    acr: null,
    authTime: epochSeconds(ctx.clock) - 5,
  });
  return { user, session: record };
}

/** Stores a fresh code as /authorize would; returns the code itself. */
export async function seedCode(
  t: TestIssuer,
  who: SignedIn,
  overrides: Partial<AuthorizationCodeRecord> = {},
): Promise<string> {
  const ctx = t.issuer.context;
  const code = generateRandomToken(32);
  const now = epochSeconds(ctx.clock);
  await ctx.store.authorizationCodes.insert({
    digest: keyedDigest(ctx.secrets.tokenDigest, code),
    clientId: 'web-app',
    userId: who.user.id,
    sessionId: who.session.id,
    grantId: null,
    redirectUri: REDIRECT,
    scope: 'openid profile email ledger:read',
    resource: [],
    nonce: 'n-0S6_WzA2Mj',
    codeChallenge: CHALLENGE,
    codeChallengeMethod: 'S256',
    authTime: who.session.authTime,
    amr: ['pwd'],
    acr: null,
    dpopJkt: null,
    issuedAt: now,
    expiresAt: now + 60,
    consumedAt: null,
    extra: {},
    ...overrides,
  });
  return code;
}

export const webApp: [string, string] = ['web-app', APP_SECRET];

/** The token request that redeems `code` for the web app. */
export function codeRequest(code: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: VERIFIER,
    ...extra,
  };
}
