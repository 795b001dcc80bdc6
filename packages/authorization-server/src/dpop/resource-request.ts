import { OAuthError } from '@gatehouse/core';
import type { IssuerContext } from '../context.js';
import {
  dpopEndpointUrls,
  dpopHeaderValues,
  type RawHeaders,
  readDpopHeader,
  verifyDpopProof,
} from './verify-proof.js';

export interface DpopResourceRequest {
  raw: RawHeaders;
  method: string;
  /** The path of our endpoint, e.g. `/userinfo`: `htu` must name it under the issuer. */
  path: string;
  accessToken: string;
  /** The key thumbprint the access token is bound to (`cnf.jkt`). */
  jkt: string;
}

/**
 * RFC 9449 §7.1 at one of our protected resources: a DPoP-bound access token comes with a
 * proof (§4.3) whose `ath` is the token's hash and whose key is the one the token is bound to
 * (item 12: "confirm that the public key to which the access token is bound matches the public
 * key from the DPoP proof"). Failures are `invalid_dpop_proof` or `use_dpop_nonce` (§9); the
 * caller turns them into `WWW-Authenticate: DPoP` challenges.
 */
export async function verifyResourceDpop(ctx: IssuerContext, request: DpopResourceRequest): Promise<void> {
  const proof = readDpopHeader(dpopHeaderValues(request.raw));
  if (proof === undefined) {
    throw new OAuthError('invalid_dpop_proof', 'a DPoP proof is required with a DPoP-bound access token');
  }
  const verified = await verifyDpopProof(ctx, {
    proof,
    method: request.method,
    urls: dpopEndpointUrls(ctx, request.path),
    accessToken: request.accessToken,
  });
  if (verified.jkt !== request.jkt) {
    throw new OAuthError('invalid_dpop_proof', 'the DPoP proof is invalid', {
      detail: `token bound to ${request.jkt}, proof by ${verified.jkt}`,
    });
  }
}
