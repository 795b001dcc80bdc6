import { epochSeconds, generateRandomToken } from '@gatehouse/core';
import type { AuthorizationCodeRecord, SessionRecord } from '@gatehouse/store';
import type { AuthorizationRequest } from '../authorization/authorization-request.js';
import { buildSuccessRedirect } from '../authorization/authorization-response.js';
import type { IssuerContext } from '../context.js';
import { opaqueTokenDigest } from '../tokens/opaque-token.js';

/** Issue 3, item 5: authorization codes live 60 seconds. */
export const AUTHORIZATION_CODE_LIFETIME = 60;

/**
 * Issues a code for an authorized request and returns the success redirect (RFC 6749 §4.1.2).
 * The code is 256 random bits and only its keyed digest is stored, bound to the client, the
 * redirect URI, the PKCE challenge and the session; `scopes` are the approved ones, which may
 * be fewer than requested (RFC 6749 §3.3).
 */
export async function issueAuthorizationCode(
  ctx: IssuerContext,
  request: AuthorizationRequest,
  authorized: { session: SessionRecord; grantId: string; scopes: string[] },
): Promise<string> {
  const code = generateRandomToken(32);
  const now = epochSeconds(ctx.clock);
  const { session } = authorized;
  const record: AuthorizationCodeRecord = {
    digest: opaqueTokenDigest(ctx, code),
    clientId: request.clientId,
    userId: session.userId,
    sessionId: session.id,
    grantId: authorized.grantId,
    redirectUri: request.redirectUri,
    scope: authorized.scopes.join(' '),
    resource: request.resource,
    nonce: request.nonce ?? null,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    authTime: session.authTime,
    amr: session.amr,
    acr: session.acr,
    dpopJkt: request.dpopJkt ?? null,
    issuedAt: now,
    expiresAt: now + AUTHORIZATION_CODE_LIFETIME,
    consumedAt: null,
    extra: {},
  };
  await ctx.store.authorizationCodes.insert(record);
  ctx.logger.info(
    { event: 'authorization_code_issued', clientId: request.clientId, sid: session.sid },
    'authorization code issued',
  );
  return buildSuccessRedirect(request, code, ctx.config.issuer);
}
