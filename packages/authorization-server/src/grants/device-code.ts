import { epochSeconds, OAuthError } from '@gatehouse/core';
import type { ClientRecord, DeviceAuthorizationRecord } from '@gatehouse/store';
import type { IssuerContext } from '../context.js';
import { DEVICE_CODE_GRANT_TYPE } from '../device/device-code.js';
import { readSessionById } from '../sessions/session-service.js';
import { opaqueTokenDigest } from '../tokens/opaque-token.js';
import type { Grant, TokenResponse } from './grant.js';
import { findActiveUser, issueAccessAndIdToken, newRefreshToken, type TokenBinding } from './token-set.js';

const INVALID_DEVICE_CODE = 'the device code is invalid or was already used';

/**
 * RFC 8628 §3.4/§3.5: the device polls with its device_code until the person has decided.
 * The answers, in the order they are judged:
 *
 * - invalid_grant: no such code, a code of another client (RFC 6749 §5.2: "issued to another
 *   client"), or one already redeemed (single use: a consumed code is gone);
 * - expired_token: "The device_code has expired";
 * - access_denied: "The authorization request was denied";
 * - tokens, once, when approved;
 * - slow_down when the device polled sooner than its interval ("the interval MUST be
 *   increased by 5 seconds for this and all subsequent requests"), else authorization_pending.
 *
 * Tokens are issued as for an authorization code: the approved scopes only, an ID token when
 * `openid` was approved, bound to the approving session and grant; a refresh token only with
 * `offline_access` approved and the client registered for refresh_token, and then offline
 * (OIDC Core §11), so it outlives the browser session the person approved in.
 */
export const deviceCodeGrant: Grant = {
  grantType: DEVICE_CODE_GRANT_TYPE,
  parameters: ['device_code'],
  async handle(ctx, { client, params }) {
    const now = epochSeconds(ctx.clock);
    const digest = opaqueTokenDigest(ctx, params.require('device_code'));
    const found = await ctx.store.deviceAuthorizations.findByDeviceCode(digest);
    if (!found) throw invalidDeviceCode('unknown device code');
    if (found.clientId !== client.clientId) throw invalidDeviceCode(`device code of ${found.clientId}`);
    const settled = found.status === 'pending' ? await poll(ctx, found, now) : found;
    return redeem(ctx, client, settled, now);
  },
};

/** Records the poll of a pending request; throws its outcome, or returns the request as decided meanwhile. */
async function poll(
  ctx: IssuerContext,
  found: DeviceAuthorizationRecord,
  now: number,
): Promise<DeviceAuthorizationRecord> {
  assertUnexpired(found, now);
  const polled = await ctx.store.deviceAuthorizations.recordPoll(found.deviceCodeDigest, now);
  if (polled.outcome === 'slow_down') {
    throw new OAuthError('slow_down', `poll at most every ${polled.record.interval} seconds`);
  }
  if (polled.outcome === 'pending') {
    throw new OAuthError('authorization_pending', 'the user has not yet approved the request');
  }
  // Decided between our read and the poll: judge it as it is now.
  const current = await ctx.store.deviceAuthorizations.findByDeviceCode(found.deviceCodeDigest);
  if (!current) throw invalidDeviceCode('device code deleted while polled');
  return current;
}

async function redeem(
  ctx: IssuerContext,
  client: ClientRecord,
  found: DeviceAuthorizationRecord,
  now: number,
): Promise<TokenResponse> {
  if (found.status === 'consumed') throw invalidDeviceCode('device code already redeemed');
  assertUnexpired(found, now);
  if (found.status === 'denied') {
    throw new OAuthError('access_denied', 'the user denied the request');
  }
  if (found.status === 'pending') {
    throw new OAuthError('authorization_pending', 'the user has not yet approved the request');
  }
  const consumed = await ctx.store.deviceAuthorizations.consume(found.deviceCodeDigest, now);
  if (!consumed) throw invalidDeviceCode('device code redeemed concurrently');
  return issueForDevice(ctx, client, consumed);
}

function assertUnexpired(found: DeviceAuthorizationRecord, now: number): void {
  if (found.expiresAt <= now) {
    throw new OAuthError('expired_token', 'the device code has expired; start again');
  }
}

function invalidDeviceCode(detail: string): OAuthError {
  return new OAuthError('invalid_grant', INVALID_DEVICE_CODE, { detail });
}

async function issueForDevice(
  ctx: IssuerContext,
  client: ClientRecord,
  approved: DeviceAuthorizationRecord,
): Promise<TokenResponse> {
  const { userId, sessionId, approvedScopes, authTime } = approved;
  if (userId === null || sessionId === null || approvedScopes === null || authTime === null) {
    throw new Error('an approved device authorization lacks its decision');
  }
  const user = await findActiveUser(ctx, userId);
  // The person may have revoked the grant (on the account page) between approving and the
  // device's next poll: nothing may be issued under a revoked grant.
  const grant = approved.grantId === null ? undefined : await ctx.store.grants.findById(approved.grantId);
  if (!grant || grant.revokedAt !== null) {
    throw new OAuthError('invalid_grant', 'the approval is no longer valid', {
      detail: `grant ${approved.grantId} missing or revoked`,
    });
  }
  const offline = approvedScopes.includes('offline_access');
  // Issue 3, item 4: tokens not granted as offline live only as long as the session they were
  // approved through; one that has ended by now gets nothing.
  const lookup = await readSessionById(ctx, sessionId);
  if (!lookup.ok && !offline) {
    throw new OAuthError('invalid_grant', 'the approval is no longer valid', {
      detail: `approving session ${lookup.reason}`,
    });
  }
  const binding: TokenBinding = {
    familyId: approved.deviceCodeDigest,
    sessionId,
    grantId: approved.grantId,
    offline,
  };
  const response = await issueAccessAndIdToken(ctx, {
    client,
    user,
    scopes: approvedScopes,
    resource: approved.resources,
    binding,
    signIn: { authTime, amr: approved.amr ?? [], acr: approved.acr },
    ...(lookup.ok ? { session: lookup.session } : {}),
    grantType: DEVICE_CODE_GRANT_TYPE,
  });
  if (offline && client.metadata.grant_types.includes('refresh_token')) {
    const refresh = newRefreshToken(ctx, {
      clientId: client.clientId,
      subject: user.id,
      scope: approvedScopes.join(' '),
      binding,
      extra: {
        resource: approved.resources,
        authTime,
        amr: approved.amr ?? [],
        acr: approved.acr,
        absoluteExpiresAt: epochSeconds(ctx.clock) + ctx.config.tokens.refresh_token_absolute_lifetime,
      },
    });
    await ctx.store.tokens.insert(refresh.record);
    response.refresh_token = refresh.token;
  }
  ctx.logger.info(
    { event: 'device_code_redeemed', clientId: client.clientId, userId: user.id },
    'device code redeemed',
  );
  return response;
}
