import { epochSeconds, generateRandomToken } from '@gatehouse/core';
import type { DeviceAuthorizationRecord, SessionRecord } from '@gatehouse/store';
import type { IssuerContext } from '../context.js';

/**
 * Records a person's approval of a device authorization: what they approved becomes their
 * grant to the client (as on the consent page, so the account page lists it and revoking it
 * revokes the device's tokens), and the request remembers the grant, the session and the
 * sign-in for the token redemption. `scopes` must already be a subset of the requested ones.
 * Returns false when the request was no longer pending (decided elsewhere, or expired); the
 * grant then stays as recorded, since the person did approve it.
 */
export async function approveDeviceAuthorization(
  ctx: IssuerContext,
  found: DeviceAuthorizationRecord,
  session: SessionRecord,
  scopes: string[],
): Promise<boolean> {
  const now = epochSeconds(ctx.clock);
  const grant = await ctx.store.grants.upsert({
    id: generateRandomToken(16),
    userId: session.userId,
    clientId: found.clientId,
    scopes,
    resources: found.resources,
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
  });
  const decided = await ctx.store.deviceAuthorizations.decide(
    found.deviceCodeDigest,
    {
      status: 'approved',
      userId: session.userId,
      sessionId: session.id,
      grantId: grant.id,
      approvedScopes: scopes,
      authTime: session.authTime,
      amr: session.amr,
      acr: session.acr,
    },
    now,
  );
  ctx.logger.info(
    { event: 'device_authorization_approved', clientId: found.clientId, sid: session.sid, decided },
    'device authorization approved',
  );
  return decided;
}

/** Records a person's denial (RFC 8628 §3.5 access_denied for the device); false when no longer pending. */
export async function denyDeviceAuthorization(
  ctx: IssuerContext,
  found: DeviceAuthorizationRecord,
  session: SessionRecord,
): Promise<boolean> {
  const decided = await ctx.store.deviceAuthorizations.decide(
    found.deviceCodeDigest,
    { status: 'denied', userId: session.userId, sessionId: session.id },
    epochSeconds(ctx.clock),
  );
  ctx.logger.info(
    { event: 'device_authorization_denied', clientId: found.clientId, sid: session.sid, decided },
    'device authorization denied',
  );
  return decided;
}
