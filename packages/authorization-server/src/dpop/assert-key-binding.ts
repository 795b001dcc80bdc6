import { OAuthError } from '@gatehouse/core';
import type { IssuerContext } from '../context.js';
import { boundJkt } from '../tokens/confirmation.js';

/**
 * A code or refresh token bound to a DPoP key is redeemable only with a proof by that key: RFC
 * 9449 §10 ("verifies that it matches the dpop_jkt parameter value ... If they do not match,
 * it MUST reject the request") and §5 (a bound refresh token's binding "MUST be validated when
 * the refresh token is later presented"; the client "MUST present a DPoP proof for the same
 * key"). No proof at all is `invalid_dpop_proof`: the request lacks the proof the grant needs.
 * A valid proof by another key is `invalid_grant` (RFC 6749 §5.2: the grant "does not match"),
 * with the same description as any other unusable grant, so it tells a thief nothing.
 */
export function assertDpopKey(
  ctx: IssuerContext,
  jkt: string,
  grant: 'code' | 'refresh token',
  invalidGrantDescription: string,
): void {
  const presented = boundJkt(ctx.senderConstraint?.confirmation);
  if (presented === undefined) {
    throw new OAuthError(
      'invalid_dpop_proof',
      `a DPoP proof is required: the ${grant} is bound to a DPoP key`,
    );
  }
  if (presented !== jkt) {
    throw new OAuthError('invalid_grant', invalidGrantDescription, {
      detail: `${grant} bound to DPoP key ${jkt}, proof by ${presented}`,
    });
  }
}
