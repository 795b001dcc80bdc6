import { epochSeconds, OAuthError } from '@gatehouse/core';
import { parseScope } from '../authorization/scope.js';
import type { IssuerContext } from '../context.js';
import { assertDpopKey } from '../dpop/assert-key-binding.js';
import { readSessionById } from '../sessions/session-service.js';
import { boundJkt, isSameConfirmation } from '../tokens/confirmation.js';
import { opaqueTokenDigest } from '../tokens/opaque-token.js';
import type { Grant } from './grant.js';
import {
  assertGrantLive,
  findActiveUser,
  issueAccessAndIdToken,
  newRefreshToken,
  type RefreshTokenExtra,
  type TokenBinding,
} from './token-set.js';

const INVALID_REFRESH = 'the refresh token is invalid, expired or revoked';

/**
 * RFC 6749 §6 with rotation on every use (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2): the old token
 * is exchanged for a new one in one store transaction; presenting a rotated token again means
 * two parties hold the family, so the whole family is revoked, JWT access tokens included
 * (their jti is deny-listed). A token whose consent grant was revoked is refused.
 */
export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  parameters: ['refresh_token', 'scope'],
  async handle(ctx, { client, params }) {
    const now = epochSeconds(ctx.clock);
    const digest = opaqueTokenDigest(ctx, params.require('refresh_token'));
    const old = await ctx.store.tokens.findByDigest(digest);
    if (old?.kind !== 'refresh_token') {
      throw new OAuthError('invalid_grant', INVALID_REFRESH, { detail: 'unknown refresh token' });
    }
    // RFC 6749 §6: "validate the refresh token and ensure that it was issued to the client".
    // Checked before rotation, so another client cannot spend or revoke someone's family.
    if (old.clientId !== client.clientId) {
      throw new OAuthError('invalid_grant', INVALID_REFRESH, { detail: `refresh token of ${old.clientId}` });
    }
    assertSenderBinding(ctx, old.confirmation);
    const granted = parseScope(old.scope);
    const requested = parseScope(params.get('scope'));
    // RFC 6749 §6: the scope "MUST NOT include any scope not originally granted".
    const widened = requested.filter((s) => !granted.includes(s));
    if (widened.length > 0) {
      throw new OAuthError('invalid_scope', `scope not originally granted: ${widened.join(' ')}`);
    }
    const offline = old.offline === true;
    const sessionId = old.sessionId ?? null;
    let session: { sid: string } | undefined;
    if (!offline) {
      // Issue 3 item 4: a token not granted as offline lives only as long as its session.
      const lookup = sessionId
        ? await readSessionById(ctx, sessionId)
        : { ok: false as const, reason: 'unknown' };
      if (!lookup.ok) {
        throw new OAuthError('invalid_grant', INVALID_REFRESH, { detail: `session ${lookup.reason}` });
      }
      session = lookup.session;
    }
    // RFC 6749 §5.2 invalid_grant: the grant the token stands for was revoked.
    await assertGrantLive(ctx, old.grantId, INVALID_REFRESH);
    const extra = old.extra as RefreshTokenExtra;
    const familyId = old.familyId ?? digest;
    const binding: TokenBinding = {
      familyId,
      sessionId,
      grantId: old.grantId ?? null,
      offline,
    };
    // RFC 6749 §6: the new refresh token's scope is that of the old one, not the narrowed one.
    const next = newRefreshToken(ctx, {
      clientId: client.clientId,
      subject: old.subject,
      scope: old.scope,
      binding,
      extra,
    });
    const rotation = await ctx.store.tokens.rotate(digest, { ...next.record, parentDigest: digest }, now);
    if (!rotation.ok) {
      if (rotation.reason === 'reused') {
        const revoked = await ctx.store.tokens.revokeFamily(familyId, now);
        throw new OAuthError('invalid_grant', INVALID_REFRESH, {
          detail: `rotated refresh token reused; family of ${revoked} tokens revoked`,
        });
      }
      throw new OAuthError('invalid_grant', INVALID_REFRESH, { detail: `refresh token ${rotation.reason}` });
    }
    const user = await findActiveUser(ctx, old.subject);
    const response = await issueAccessAndIdToken(ctx, {
      client,
      user,
      scopes: requested.length > 0 ? requested : granted,
      resource: extra.resource,
      binding,
      signIn: { authTime: extra.authTime, amr: extra.amr, acr: extra.acr },
      ...(session ? { session } : {}),
      grantType: 'refresh_token',
    });
    response.refresh_token = next.token;
    await assertGrantLive(ctx, binding.grantId, INVALID_REFRESH, familyId);
    return response;
  },
};

/**
 * RFC 9449 §5: a bound refresh token is spent only with a proof by its key; checked before the
 * rotation, so a thief without the key can neither use the family nor revoke it. Any other
 * confirmation (a certificate, RFC 8705 §4) must be presented the same.
 */
function assertSenderBinding(ctx: IssuerContext, bound: Record<string, string> | null): void {
  if (bound === null) return;
  const jkt = boundJkt(bound);
  if (jkt !== undefined) {
    assertDpopKey(ctx, jkt, 'refresh token', INVALID_REFRESH);
    return;
  }
  if (!isSameConfirmation(bound, ctx.senderConstraint?.confirmation)) {
    throw new OAuthError('invalid_grant', INVALID_REFRESH, {
      detail: 'refresh token bound to another sender',
    });
  }
}
