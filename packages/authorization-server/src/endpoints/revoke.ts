import { epochSeconds, OAuthError } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { IssuerContext } from '../context.js';
import { formParams } from '../http/form-params.js';
import { findLiveToken } from '../tokens/token-lookup.js';

/**
 * RFC 7009 token revocation. Opaque tokens are marked revoked; a JWT access token's `jti` goes
 * on a deny-list that introspection consults until the token would have expired anyway.
 */
export function revocationEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.post('/revoke', async (request, reply) => {
    const params = formParams(request);
    const { client } = await authenticateClient(
      ctx,
      request.headers.authorization,
      params,
      request.clientCertificate,
    );
    const token = params.require('token');
    const live = await findLiveToken(ctx, token);
    // RFC 7009 §2.2: "invalid tokens do not cause an error response", so an unknown, expired or
    // already revoked token is answered with 200 just the same.
    if (live) {
      // RFC 7009 §2.1: the server "verifies whether the token was issued to the client making
      // the revocation request. If this validation fails, the request is refused".
      if (live.clientId !== client.clientId) {
        throw new OAuthError('unauthorized_client', 'the token was not issued to this client', {
          detail: `client ${client.clientId} tried to revoke a token of ${live.clientId}`,
        });
      }
      const now = epochSeconds(ctx.clock);
      if (live.digest !== undefined) await ctx.store.tokens.revoke(live.digest, now);
      else await ctx.store.revokedJwts.add(live.jti, live.expiresAt);
      request.log.info({ jti: live.jti, client_id: client.clientId }, 'token revoked');
    }
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return reply.code(200).send();
  });
}
