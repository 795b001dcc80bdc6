import { OAuthError } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { IssuerContext } from '../context.js';
import { grants } from '../grants/index.js';
import { formParams } from '../http/form-params.js';

/** RFC 6749 §3.2: the token endpoint. Authenticates the client, then dispatches on grant_type. */
export function tokenEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.post('/token', async (request, reply) => {
    const params = formParams(request);
    const grantType = params.require('grant_type');
    const { client, confidential } = await authenticateClient(ctx, request.headers.authorization, params);
    const grant = grants.get(grantType);
    if (!grant) throw new OAuthError('unsupported_grant_type', `grant_type '${grantType}' is not supported`);
    if (!client.metadata.grant_types.includes(grantType)) {
      throw new OAuthError('unauthorized_client', `the client may not use grant_type '${grantType}'`);
    }
    const response = await grant.handle(ctx, { client, confidential, params });
    // RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on every token response.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return response;
  });
}
