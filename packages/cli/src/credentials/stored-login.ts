import { getValidatedIdTokenClaims, type TokenEndpointResponse } from 'oauth4webapi';
import type { StoredLogin } from './credentials-file.js';

/**
 * What to keep of a token response. After a refresh, anything the response leaves out stays
 * as it was: the refresh token when the issuer does not rotate it (RFC 6749 §6: it "MAY issue
 * a new refresh token"), the scope when it is unchanged (§5.1: scope is OPTIONAL "if
 * identical to the scope requested"), and the ID token when none is issued.
 */
export function storedLoginFrom(
  response: TokenEndpointResponse,
  context: { issuer: string; clientId: string; requestedScope: string; now: number; previous?: StoredLogin },
): StoredLogin {
  const { previous } = context;
  const claims = response.id_token ? getValidatedIdTokenClaims(response) : undefined;
  const login: StoredLogin = {
    issuer: context.issuer,
    clientId: context.clientId,
    accessToken: response.access_token,
    tokenType: response.token_type,
    scope: response.scope ?? previous?.scope ?? context.requestedScope,
    obtainedAt: context.now,
  };
  if (response.expires_in !== undefined) login.expiresAt = context.now + response.expires_in;
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  if (refreshToken !== undefined) login.refreshToken = refreshToken;
  if (response.id_token && claims) {
    login.idToken = response.id_token;
    login.claims = { ...claims };
  } else {
    if (previous?.idToken !== undefined) login.idToken = previous.idToken;
    if (previous?.claims !== undefined) login.claims = previous.claims;
  }
  return login;
}
