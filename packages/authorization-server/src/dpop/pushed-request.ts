import { OAuthError } from '@gatehouse/core';
import type { IssuerContext } from '../context.js';
import { dpopEndpointUrls, readDpopHeader, verifyDpopProof } from './verify-proof.js';

/**
 * RFC 9449 §10.1: with PAR, the client may bind the authorization code to its DPoP key by a
 * DPoP proof on the pushed request instead of (or besides) the `dpop_jkt` parameter. A proof
 * is checked like one at the token endpoint (§4.3, `htu` the PAR endpoint); when both are
 * sent they must name the same key, or the request is refused.
 *
 * @returns the thumbprint the code is to be bound to, or undefined when the request has none.
 */
export async function verifyPushedRequestDpop(
  ctx: IssuerContext,
  dpopHeaders: readonly string[] | undefined,
  dpopJkt: string | string[] | undefined,
): Promise<string | undefined> {
  const proof = readDpopHeader(dpopHeaders);
  const given = typeof dpopJkt === 'string' ? dpopJkt : undefined;
  if (proof === undefined) return given;
  const { jkt } = await verifyDpopProof(ctx, { proof, method: 'POST', urls: dpopEndpointUrls(ctx, '/par') });
  if (given !== undefined && given !== jkt) {
    throw new OAuthError('invalid_dpop_proof', 'the DPoP proof key does not match dpop_jkt', {
      detail: `dpop_jkt ${given}, proof by ${jkt}`,
    });
  }
  return jkt;
}
