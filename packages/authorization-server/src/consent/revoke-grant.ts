import { epochSeconds } from '@gatehouse/core';
import type { GrantRecord } from '@gatehouse/store';
import type { IssuerContext } from '../context.js';

/** What revoking a grant needs: no secret and no HTTP, so an admin tool can do it too. */
export type RevokeGrantDeps = Pick<IssuerContext, 'store' | 'clock' | 'logger'>;

/**
 * Takes back the user's consent grant `grantId` (the account page's "Revoke"): the grant is
 * revoked, every token issued under it, offline ones included, is revoked at once (issue 3,
 * item 7: "revoking a grant revokes its tokens at once"), and codes issued under it but not
 * yet redeemed can no longer be. Refuses a grant of another user, so a forged form cannot
 * revoke someone else's. Returns the revoked grant, or undefined when there was no such live
 * grant of this user.
 */
export async function revokeUserGrant(
  deps: RevokeGrantDeps,
  userId: string,
  grantId: string,
): Promise<GrantRecord | undefined> {
  const grant = await deps.store.grants.findById(grantId);
  if (!grant || grant.userId !== userId || grant.revokedAt !== null) return undefined;
  const now = epochSeconds(deps.clock);
  // Of concurrent revocations exactly one gets past this compare-and-set and revokes the rest.
  if (!(await deps.store.grants.revoke(grant.id, now))) return undefined;
  const codes = await deps.store.authorizationCodes.consumeByGrant(grant.id, now);
  const tokens = await deps.store.tokens.revokeByGrant(grant.id, now);
  deps.logger.info(
    { event: 'grant_revoked', grantId: grant.id, clientId: grant.clientId, userId, tokens, codes },
    'grant revoked',
  );
  return { ...grant, revokedAt: now };
}
