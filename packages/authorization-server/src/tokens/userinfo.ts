import { OAuthError } from '@gatehouse/core';
import type { UserRecord } from '@gatehouse/store';
import { claimsForUser, type UserClaims } from '../claims/scope-claims.js';
import type { IssuerContext } from '../context.js';
import { findLiveToken } from './token-lookup.js';

/**
 * The UserInfo response body (OIDC Core §5.3.2): `sub` always ("The sub Claim MUST always be
 * returned in the UserInfo Response") and the claims of the token's scopes that have values.
 */
export function userinfoResponse(user: UserRecord, scopes: Iterable<string>): UserClaims {
  return claimsForUser(user, scopes);
}

/** Who a UserInfo request is about, from its access token. */
export interface UserinfoGrant {
  subject: string;
  scopes: string[];
  clientId: string;
  /** Set for a DPoP- or mTLS-bound token: the endpoint must check the proof against it. */
  confirmation: Record<string, string> | null;
}

/**
 * Accepts a live access token we issued that carries the `openid` scope. OIDC Core §5.3: the
 * UserInfo Endpoint returns claims about the End-User authenticated through an OpenID Connect
 * request, and §3.1.2.1: such requests "MUST contain the openid scope value"; a token without
 * it was not issued through one, whatever its audience. The audience is not checked: our access
 * tokens name the API they were requested for (RFC 8707), never the UserInfo Endpoint, and the
 * same token is meant for both.
 *
 * The endpoint must still load the user by `subject` and answer `invalid_token` when the user
 * is gone or disabled, and verify the proof of a bound token.
 */
export async function verifyUserinfoAccessToken(ctx: IssuerContext, token: string): Promise<UserinfoGrant> {
  const live = await findLiveToken(ctx, token);
  if (live?.kind !== 'access_token') {
    throw new OAuthError('invalid_token', 'the access token is not valid', {
      detail: live
        ? 'a refresh token was sent to the UserInfo Endpoint'
        : 'unknown, expired or revoked token',
    });
  }
  const scopes = live.scope.split(' ').filter((s) => s !== '');
  if (!scopes.includes('openid')) {
    // RFC 6750 §3.1: the token is valid but lacks the scope this resource needs.
    throw new OAuthError('insufficient_scope', 'the access token was not issued with the openid scope', {
      detail: `client ${live.clientId}, scope "${live.scope}"`,
    });
  }
  return { subject: live.subject, scopes, clientId: live.clientId, confirmation: live.confirmation };
}
