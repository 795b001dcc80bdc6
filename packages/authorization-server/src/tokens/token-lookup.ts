import { epochSeconds } from '@gatehouse/core';
import { errors, jwtVerify } from 'jose';
import type { IssuerContext } from '../context.js';
import { looksLikeJwt } from './access-token.js';
import { opaqueTokenDigest } from './opaque-token.js';

/** A token this issuer minted and that is live right now. */
export interface LiveToken {
  format: 'jwt' | 'opaque';
  kind: 'access_token' | 'refresh_token';
  digest?: string;
  jti: string;
  clientId: string;
  subject: string;
  scope: string;
  audience: string[];
  issuedAt: number;
  expiresAt: number;
  confirmation: Record<string, string> | null;
}

/**
 * Finds a token we issued and reports it only if it is live: signature (for JWTs), not
 * expired, not revoked. Anything else, including garbage, is `undefined`, never an error.
 */
export async function findLiveToken(ctx: IssuerContext, token: string): Promise<LiveToken | undefined> {
  const now = epochSeconds(ctx.clock);
  if (looksLikeJwt(token)) return findLiveJwt(ctx, token, now);
  const record = await ctx.store.tokens.findByDigest(opaqueTokenDigest(ctx, token));
  if (!record || record.revokedAt !== null || record.expiresAt <= now) return undefined;
  return {
    format: 'opaque',
    kind: record.kind,
    digest: record.digest,
    jti: record.jti,
    clientId: record.clientId,
    subject: record.subject,
    scope: record.scope,
    audience: record.audience,
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    confirmation: record.confirmation,
  };
}

async function findLiveJwt(ctx: IssuerContext, token: string, now: number): Promise<LiveToken | undefined> {
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(token, ctx.keys.verificationKeys(), {
      issuer: ctx.config.issuer,
      typ: 'at+jwt',
      currentDate: new Date(now * 1000),
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
    throw error;
  }
  const jti = payload.jti!;
  if (await ctx.store.revokedJwts.has(jti)) return undefined;
  const audience = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
  return {
    format: 'jwt',
    kind: 'access_token',
    jti,
    clientId: String(payload['client_id']),
    subject: payload.sub!,
    scope: typeof payload['scope'] === 'string' ? payload['scope'] : '',
    audience,
    issuedAt: payload.iat!,
    expiresAt: payload.exp!,
    confirmation: (payload['cnf'] as Record<string, string> | undefined) ?? null,
  };
}
