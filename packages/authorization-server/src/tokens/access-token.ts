import { randomUUID } from 'node:crypto';
import { epochSeconds } from '@gatehouse/core';
import type { TokenRecord } from '@gatehouse/store';
import type { IssuerContext } from '../context.js';
import { signingBatch } from '../keys/signing-batch.js';
import { encodeJwsHeader, type LoadedSigningKey } from '../keys/signing-key.js';
import type { Resource } from '../resources/resource-registry.js';
import { type Confirmation, tokenTypeFor } from './confirmation.js';
import { ACCESS_TOKEN_PREFIX, generateOpaqueToken, opaqueTokenDigest } from './opaque-token.js';

export interface AccessTokenRequest {
  clientId: string;
  subject: string;
  scope: string[];
  resource: Resource;
  /** Confirmation claim for sender-constrained tokens (RFC 8705 / RFC 9449). */
  confirmation?: Confirmation | undefined;
  extra?: Record<string, unknown>;
  /**
   * Links a token to what can revoke it: its refresh family, session and grant. With it, a JWT
   * access token is stored as well (`format: 'jwt'`) so that revoking any of them deny-lists
   * its jti; without it (client credentials), a JWT lives out its (short) lifetime.
   */
  binding?: Pick<TokenRecord, 'familyId' | 'sessionId' | 'grantId' | 'offline'>;
}

export interface IssuedAccessToken {
  token: string;
  tokenType: 'Bearer' | 'DPoP';
  expiresIn: number;
  scope: string;
  format: 'jwt' | 'opaque';
}

/** Issues an access token in the format its resource asks for. */
export async function issueAccessToken(
  ctx: IssuerContext,
  request: AccessTokenRequest,
): Promise<IssuedAccessToken> {
  const now = epochSeconds(ctx.clock);
  const lifetime = request.resource.accessTokenLifetime;
  const scope = request.scope.join(' ');
  // randomUUID draws from a buffered CSPRNG pool: a fresh randomBytes call per token costs more.
  const jti = randomUUID();
  // The token endpoint's proof of possession binds every grant's access token (RFC 9449 §5).
  const confirmation = request.confirmation ?? ctx.senderConstraint?.confirmation;
  const tokenType = tokenTypeFor(confirmation);
  if (request.resource.tokenFormat === 'jwt') {
    const token = await signAccessTokenJwt(ctx.keys.signingKey(), {
      iss: ctx.config.issuer,
      sub: request.subject,
      aud: request.resource.id,
      exp: now + lifetime,
      iat: now,
      jti,
      client_id: request.clientId,
      scope,
      // RFC 9449 §6.1 / RFC 8705 §3.1: the confirmation claim names the key or certificate.
      ...(confirmation ? { cnf: confirmation } : {}),
    });
    // A JWT issued under a sign-in gets a row too, so that revoking its family (code or
    // refresh-token reuse), session or grant puts its jti on the deny-list (RFC 6749 §4.1.2,
    // RFC 9700 §4.14.2). Its cnf lives in the JWT; the row only has to name what revokes it.
    if (request.binding !== undefined) {
      await ctx.store.tokens.insert({
        digest: opaqueTokenDigest(ctx, token),
        kind: 'access_token',
        format: 'jwt',
        jti,
        clientId: request.clientId,
        subject: request.subject,
        scope,
        audience: [request.resource.id],
        issuedAt: now,
        expiresAt: now + lifetime,
        revokedAt: null,
        confirmation: null,
        extra: request.extra ?? {},
        ...request.binding,
      });
    }
    return { token, tokenType, expiresIn: lifetime, scope, format: 'jwt' };
  }
  const token = generateOpaqueToken(ctx, ACCESS_TOKEN_PREFIX);
  const record: TokenRecord = {
    digest: opaqueTokenDigest(ctx, token),
    kind: 'access_token',
    jti,
    clientId: request.clientId,
    subject: request.subject,
    scope,
    audience: [request.resource.id],
    issuedAt: now,
    expiresAt: now + lifetime,
    revokedAt: null,
    confirmation: confirmation ?? null,
    extra: request.extra ?? {},
    ...request.binding,
  };
  await ctx.store.tokens.insert(record);
  return { token, tokenType, expiresIn: lifetime, scope, format: 'opaque' };
}

export function looksLikeJwt(token: string): boolean {
  return token.split('.').length === 3;
}

const headerCache = new WeakMap<LoadedSigningKey, string>();

/** RFC 9068 §2.1: `typ` is `at+jwt`, so an access token can never pass as an ID token. */
function signAccessTokenJwt(key: LoadedSigningKey, claims: Record<string, unknown>): Promise<string> {
  let header = headerCache.get(key);
  if (header === undefined) {
    header = encodeJwsHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid });
    headerCache.set(key, header);
  }
  return signingBatch.sign(key, header, claims);
}
