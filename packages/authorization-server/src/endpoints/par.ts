import { epochSeconds, OAuthError } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { validateClientAndRedirect, validateRequest } from '../authorization/authorization-request.js';
import { createPushedRequestUri, validatePushedRequest } from '../authorization/par.js';
import { isInvalidRedirect } from '../authorization/redirect-uri.js';
import { paramsFromRecord } from '../authorization/request-params.js';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { IssuerContext } from '../context.js';
import { verifyPushedRequestDpop } from '../dpop/pushed-request.js';
import { dpopHeaderValues } from '../dpop/verify-proof.js';
import { formParams } from '../http/form-params.js';
import { opaqueTokenDigest } from '../tokens/opaque-token.js';

/**
 * The pushed authorization request endpoint (RFC 9126 §2): authenticate the client, check the
 * request "as it would an authorization request sent to the authorization endpoint" (§2.1),
 * keep it under a digest of a fresh request_uri, answer 201. Errors are JSON (§2.3).
 */
export function pushedAuthorizationRequestEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.post('/par', async (request, reply) => {
    const form = formParams(request);
    const { client } = await authenticateClient(
      ctx,
      request.headers.authorization,
      form,
      request.clientCertificate,
    );
    const record = validatePushedRequest(form, client.clientId);
    const params = paramsFromRecord(record);
    const target = validateClientAndRedirect(params, client);
    if (isInvalidRedirect(target)) throw new OAuthError(target.error, target.description);
    validateRequest(params, target, { pushed: true });
    const dpopJkt = await verifyPushedRequestDpop(ctx, dpopHeaderValues(request.raw), record['dpop_jkt']);

    const uri = createPushedRequestUri(epochSeconds(ctx.clock));
    await ctx.store.pushedRequests.insert({
      digest: opaqueTokenDigest(ctx, uri.requestUri),
      clientId: client.clientId,
      params: dpopJkt === undefined ? record : { ...record, dpop_jkt: dpopJkt },
      expiresAt: uri.expiresAt,
      consumedAt: null,
    });
    // RFC 9126 §2.2: "201 Created"; the request_uri is a credential for one request: no-store.
    reply.code(201).header('cache-control', 'no-store').header('pragma', 'no-cache');
    return { request_uri: uri.requestUri, expires_in: uri.expiresIn };
  });
}
