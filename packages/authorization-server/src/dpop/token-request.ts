import { OAuthError } from '@gatehouse/core';
import type { ClientRecord } from '@gatehouse/store';
import type { IssuerContext } from '../context.js';
import type { SenderConstraint } from '../tokens/confirmation.js';
import { dpopEndpointUrls, readDpopHeader, verifyDpopProof } from './verify-proof.js';

export interface DpopTokenRequest {
  /** The request's DPoP header fields, kept apart (dpopHeaderValues). */
  dpopHeaders: readonly string[] | undefined;
  client: ClientRecord;
  confidential: boolean;
}

/**
 * The DPoP step of a token request (RFC 9449 §5), the same for every grant: a request with a
 * proof gets its tokens bound to the proof's key, one without gets Bearer tokens, unless the
 * client registered `dpop_bound_access_tokens` (§5.2: "the authorization server MUST reject
 * token requests from the client that do not contain the DPoP header"). A proof that fails any
 * check is `invalid_dpop_proof` (§5), never silently ignored.
 *
 * @returns the constraint to bind the grant's tokens to, or undefined for Bearer tokens.
 */
export async function verifyTokenRequestDpop(
  ctx: IssuerContext,
  request: DpopTokenRequest,
): Promise<SenderConstraint | undefined> {
  const proof = readDpopHeader(request.dpopHeaders);
  if (proof === undefined) {
    if (request.client.metadata['dpop_bound_access_tokens'] === true) {
      throw new OAuthError(
        'invalid_dpop_proof',
        'this client must send a DPoP proof with every token request',
        {
          detail: 'dpop_bound_access_tokens client without a DPoP header',
        },
      );
    }
    return undefined;
  }
  const { jkt } = await verifyDpopProof(ctx, {
    proof,
    method: 'POST',
    urls: dpopEndpointUrls(ctx, '/token'),
  });
  // §5: refresh tokens of public clients "MUST be bound"; confidential clients' are bound to
  // their credentials already and stay unbound, so they may change keys.
  return { confirmation: { jkt }, bindRefreshToken: !request.confidential };
}
