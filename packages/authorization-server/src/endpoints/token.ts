import { OAuthError } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { IssuerContext } from '../context.js';
import { issueDpopNonce } from '../dpop/nonce.js';
import { verifyTokenRequestDpop } from '../dpop/token-request.js';
import { dpopHeaderValues } from '../dpop/verify-proof.js';
import { grants } from '../grants/index.js';
import { formParams } from '../http/form-params.js';
import { certificateSenderConstraint } from '../tls/certificate-binding.js';

/**
 * RFC 6749 §3.2: the token endpoint. Authenticates the client, checks a DPoP proof when there
 * is one (RFC 9449 §5), then dispatches on grant_type.
 */
export function tokenEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.post('/token', async (request, reply) => {
    const params = formParams(request);
    const grantType = params.require('grant_type');
    const { client, confidential } = await authenticateClient(
      ctx,
      request.headers.authorization,
      params,
      request.clientCertificate,
    );
    const grant = grants.get(grantType);
    if (!grant) throw new OAuthError('unsupported_grant_type', `grant_type '${grantType}' is not supported`);
    if (!client.metadata.grant_types.includes(grantType)) {
      throw new OAuthError('unauthorized_client', `the client may not use grant_type '${grantType}'`);
    }
    // A DPoP proof binds the tokens to its key; otherwise a client registered for certificate-
    // bound tokens gets them bound to its TLS client certificate (RFC 8705 §3).
    const senderConstraint =
      (await verifyTokenRequestDpop(ctx, {
        dpopHeaders: dpopHeaderValues(request.raw),
        client,
        confidential,
      })) ?? certificateSenderConstraint(client, confidential, request.clientCertificate);
    // The grant's own context carries the constraint to every token it issues (RFC 9449 §5).
    const grantCtx = senderConstraint ? { ...ctx, senderConstraint } : ctx;
    const response = await grant.handle(grantCtx, { client, confidential, params });
    // RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on every token response.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    // RFC 9449 §8.2: a nonce may come with any response; with nonces required, a fresh one
    // spares the client a use_dpop_nonce round trip on its next request.
    if (senderConstraint && ctx.config.dpop.require_nonce) reply.header('dpop-nonce', issueDpopNonce(ctx));
    return response;
  });
}
