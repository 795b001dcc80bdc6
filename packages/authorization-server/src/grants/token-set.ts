import { epochSeconds, generateRandomToken, OAuthError } from '@gatehouse/core';
import type { ClientRecord, SessionRecord, TokenRecord, UserRecord } from '@gatehouse/store';
import { resolveResource } from '../authorization/resource.js';
import { OPENID_SCOPES } from '../authorization/scope.js';
import type { IssuerContext } from '../context.js';
import type { Resource } from '../resources/resource-registry.js';
import { issueAccessToken } from '../tokens/access-token.js';
import { issueIdToken } from '../tokens/id-token.js';
import { generateOpaqueToken, opaqueTokenDigest, REFRESH_TOKEN_PREFIX } from '../tokens/opaque-token.js';
import type { TokenResponse } from './grant.js';

/** Refresh tokens expire after 14 days unused, and 30 days after the sign-in at the latest. */

/** What a refresh token remembers of the sign-in it descends from (`TokenRecord.extra`). */
export interface RefreshTokenExtra {
  [key: string]: unknown;
  resource: string[];
  authTime: number;
  amr: string[];
  acr: string | null;
  absoluteExpiresAt: number;
}

export type TokenBinding = Required<Pick<TokenRecord, 'familyId' | 'sessionId' | 'grantId' | 'offline'>>;

export interface TokenSetOptions {
  client: ClientRecord;
  user: UserRecord;
  /** The scopes this response grants (all OpenID and API scopes). */
  scopes: string[];
  /** The `resource` of the authorization (RFC 8707), at most one. */
  resource: string[];
  binding: TokenBinding;
  /** The sign-in, for the ID token; the ID token is issued only when `openid` is granted. */
  signIn: { authTime: number; amr: string[]; acr: string | null; nonce?: string };
  session?: Pick<SessionRecord, 'sid'>;
  grantType: 'authorization_code' | 'refresh_token' | 'urn:ietf:params:oauth:grant-type:device_code';
}

/**
 * The access token's API: the one named by `resource`, else the one the API scopes point at.
 * With no API scope at all the token is for the UserInfo Endpoint only: opaque, so ending the
 * session or reusing the code revokes it at once.
 */
export function resourceForScopes(ctx: IssuerContext, requested: string[], scopes: string[]): Resource {
  const apiScopes = scopes.filter((s) => !OPENID_SCOPES.has(s));
  if (requested.length === 0 && apiScopes.length === 0) {
    return {
      id: `${ctx.config.issuer}/userinfo`,
      scopes: new Set(),
      tokenFormat: 'opaque',
      accessTokenLifetime: ctx.config.tokens.access_token_lifetime,
      introspectionClients: new Set(),
    };
  }
  return resolveResource(ctx.resources, requested, apiScopes);
}

/**
 * Issues the access token and, when `openid` is granted, the ID token. The access token's scope
 * is the API's scopes plus the OpenID claim scopes (so the UserInfo Endpoint can answer by
 * them), never `offline_access`, which is about the refresh token, not the API.
 */
export async function issueAccessAndIdToken(
  ctx: IssuerContext,
  options: TokenSetOptions,
): Promise<TokenResponse> {
  const resource = resourceForScopes(ctx, options.resource, options.scopes);
  const scope = options.scopes.filter(
    (s) => s !== 'offline_access' && (OPENID_SCOPES.has(s) || resource.scopes.has(s)),
  );
  const issued = await issueAccessToken(ctx, {
    clientId: options.client.clientId,
    subject: options.user.id,
    scope,
    resource,
    extra: { grant_type: options.grantType },
    binding: options.binding,
  });
  ctx.metrics.tokensIssued.inc({ grant_type: options.grantType, format: issued.format });
  const response: TokenResponse = {
    access_token: issued.token,
    token_type: issued.tokenType,
    expires_in: issued.expiresIn,
    scope: options.scopes.join(' '),
  };
  if (options.scopes.includes('openid')) {
    response.id_token = issueIdToken(ctx, {
      client: options.client,
      user: options.user,
      ...(options.session ? { session: options.session } : {}),
      ...(options.signIn.nonce !== undefined ? { nonce: options.signIn.nonce } : {}),
      authTime: options.signIn.authTime,
      acr: options.signIn.acr,
      amr: options.signIn.amr,
      scopes: options.scopes,
      accessToken: issued.token,
      issuedAt: epochSeconds(ctx.clock),
      lifetime: ctx.config.tokens.id_token_lifetime,
    });
  }
  return response;
}

/** A new opaque refresh token and its row; the caller inserts or rotates it in. */
export function newRefreshToken(
  ctx: IssuerContext,
  options: {
    clientId: string;
    subject: string;
    scope: string;
    binding: TokenBinding;
    extra: RefreshTokenExtra;
  },
): { token: string; record: TokenRecord } {
  const now = epochSeconds(ctx.clock);
  const token = generateOpaqueToken(ctx, REFRESH_TOKEN_PREFIX);
  const record: TokenRecord = {
    digest: opaqueTokenDigest(ctx, token),
    kind: 'refresh_token',
    jti: generateRandomToken(16),
    clientId: options.clientId,
    subject: options.subject,
    scope: options.scope,
    audience: [ctx.config.issuer],
    issuedAt: now,
    // The idle lifetime restarts with each rotation; the family's absolute end never moves.
    expiresAt: Math.min(now + ctx.config.tokens.refresh_token_idle_lifetime, options.extra.absoluteExpiresAt),
    revokedAt: null,
    // RFC 9449 §5: a public client's refresh token is bound to the key its request proved.
    confirmation: ctx.senderConstraint?.bindRefreshToken ? ctx.senderConstraint.confirmation : null,
    extra: options.extra,
    ...options.binding,
  };
  return { token, record };
}

/**
 * The consent grant a code or refresh token was issued under must still be live when it is
 * redeemed: revoking a grant (the account page) ends everything it allowed, including a code
 * not redeemed yet, which `tokens.revokeByGrant` cannot reach (RFC 6749 §5.2 invalid_grant:
 * the grant "is invalid, expired, revoked").
 *
 * Called once before issuing and, with `familyId`, again once the tokens are stored: a
 * revocation that ran between the two had its `revokeByGrant` miss rows not yet written, so
 * whoever sees the grant revoked then revokes the new family itself.
 */
export async function assertGrantLive(
  ctx: IssuerContext,
  grantId: string | null | undefined,
  description: string,
  familyId?: string,
): Promise<void> {
  if (!grantId) return;
  const grant = await ctx.store.grants.findById(grantId);
  if (grant !== undefined && grant.revokedAt === null) return;
  if (familyId !== undefined) await ctx.store.tokens.revokeFamily(familyId, epochSeconds(ctx.clock));
  throw new OAuthError('invalid_grant', description, { detail: `grant ${grantId} revoked` });
}

/** The user a grant issues tokens about: OIDC Core and issue 3, a disabled user gets none. */
export async function findActiveUser(ctx: IssuerContext, userId: string): Promise<UserRecord> {
  const user = await ctx.store.users.findById(userId);
  if (user?.status !== 'active') {
    throw new OAuthError('invalid_grant', 'the grant is invalid', {
      detail: `user ${userId} missing or disabled`,
    });
  }
  return user;
}
