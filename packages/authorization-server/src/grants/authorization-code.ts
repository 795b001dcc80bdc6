import { epochSeconds, keyedDigest, OAuthError } from '@gatehouse/core';
import type { AuthorizationCodeRecord, ClientRecord } from '@gatehouse/store';
import { verifyCodeVerifier } from '../authorization/pkce.js';
import type { IssuerContext } from '../context.js';
import { assertDpopKey } from '../dpop/assert-key-binding.js';
import type { Grant } from './grant.js';
import {
  assertGrantLive,
  findActiveUser,
  issueAccessAndIdToken,
  newRefreshToken,
  type TokenBinding,
} from './token-set.js';

const INVALID_CODE = 'the authorization code is invalid, expired or was already used';

/**
 * RFC 6749 §4.1.3 / OAuth 2.1 §4.1.3 / OIDC Core §3.1.3. Public clients may use it: PKCE, not a
 * secret, proves the redeemer started the request. The consent grant the code was issued under
 * must still be live: a grant revoked since fails the code with invalid_grant.
 *
 * A refresh token comes with the tokens when the client is registered for `refresh_token`
 * (OAuth 2.1 §4.3: the server decides). With `offline_access` granted it outlives the session
 * (OIDC Core §11); without, ending the session revokes it.
 *
 * Every token issued for a code is in the family named by the code's digest, so a second
 * redemption can revoke them (RFC 6749 §4.1.2): opaque tokens and refresh tokens are marked
 * revoked, and JWT access tokens (stored with the family too) have their jti deny-listed, so
 * introspection reports every one of them inactive at once.
 */
export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  parameters: ['code', 'redirect_uri', 'code_verifier'],
  async handle(ctx, { client, params }) {
    const now = epochSeconds(ctx.clock);
    const digest = keyedDigest(ctx.secrets.tokenDigest, params.require('code'));
    const use = await ctx.store.authorizationCodes.consume(digest, now);
    if (!use) throw new OAuthError('invalid_grant', INVALID_CODE, { detail: 'unknown code' });
    const { code } = use;
    if (use.alreadyConsumed) {
      // RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization
      // server MUST deny the request and SHOULD revoke (when possible) all tokens previously
      // issued based on that authorization code."
      const revoked = await ctx.store.tokens.revokeFamily(digest, now);
      throw new OAuthError('invalid_grant', INVALID_CODE, {
        detail: `code reused; ${revoked} tokens revoked`,
      });
    }
    if (code.expiresAt <= now)
      throw new OAuthError('invalid_grant', INVALID_CODE, { detail: 'code expired' });
    // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated
    // confidential client, or if the client is public, ensure that the code was issued to
    // "client_id" in the request"
    if (code.clientId !== client.clientId) {
      throw new OAuthError('invalid_grant', INVALID_CODE, { detail: `code of ${code.clientId}` });
    }
    assertRedirectUri(client, code, params.get('redirect_uri'));
    // RFC 7636 §4.6; OAuth 2.1 §4.1.3: the code_verifier is required of every client.
    verifyCodeVerifier(params.get('code_verifier'), code.codeChallenge);
    // RFC 9449 §10: a code bound with dpop_jkt is redeemed only with a proof by that key.
    if (code.dpopJkt !== null) assertDpopKey(ctx, code.dpopJkt, 'code', INVALID_CODE);
    return issueForCode(ctx, client, code, digest);
  },
};

/**
 * RFC 6749 §4.1.3: "ensure that the "redirect_uri" parameter is present if the "redirect_uri"
 * parameter was included in the initial authorization request ... and if included ensure that
 * their values are identical." The code does not say whether the request named it, which it
 * may omit only when the client has a single redirect URI, so absence is accepted then alone.
 */
function assertRedirectUri(
  client: ClientRecord,
  code: AuthorizationCodeRecord,
  given: string | undefined,
): void {
  if (given === undefined) {
    const registered = client.metadata.redirect_uris;
    if (registered.length === 1 && registered[0] === code.redirectUri) return;
    throw new OAuthError('invalid_request', "missing required parameter 'redirect_uri'");
  }
  if (given !== code.redirectUri) {
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
  }
}

async function issueForCode(
  ctx: IssuerContext,
  client: ClientRecord,
  code: AuthorizationCodeRecord,
  familyId: string,
) {
  await assertGrantLive(ctx, code.grantId, INVALID_CODE);
  const user = await findActiveUser(ctx, code.userId);
  const scopes = code.scope.split(' ').filter(Boolean);
  const offline = scopes.includes('offline_access');
  const binding: TokenBinding = { familyId, sessionId: code.sessionId, grantId: code.grantId, offline };
  const session = code.sessionId ? await ctx.store.sessions.findById(code.sessionId) : undefined;
  const signIn = {
    authTime: code.authTime,
    amr: code.amr,
    acr: code.acr,
    ...(code.nonce ? { nonce: code.nonce } : {}),
  };
  const response = await issueAccessAndIdToken(ctx, {
    client,
    user,
    scopes,
    resource: code.resource,
    binding,
    signIn,
    ...(session ? { session } : {}),
    grantType: 'authorization_code',
  });
  if (client.metadata.grant_types.includes('refresh_token')) {
    const refresh = newRefreshToken(ctx, {
      clientId: client.clientId,
      subject: user.id,
      scope: code.scope,
      binding,
      extra: {
        resource: code.resource,
        authTime: code.authTime,
        amr: code.amr,
        acr: code.acr,
        // The absolute lifetime counts from the redemption and is carried through every rotation.
        absoluteExpiresAt: epochSeconds(ctx.clock) + ctx.config.tokens.refresh_token_absolute_lifetime,
      },
    });
    await ctx.store.tokens.insert(refresh.record);
    response.refresh_token = refresh.token;
  }
  await assertGrantLive(ctx, code.grantId, INVALID_CODE, familyId);
  return response;
}
