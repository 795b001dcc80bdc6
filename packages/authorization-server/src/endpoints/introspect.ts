import { OAuthError } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { IssuerContext } from '../context.js';
import { formParams } from '../http/form-params.js';
import { tokenTypeFor } from '../tokens/confirmation.js';
import { findLiveToken, type LiveToken } from '../tokens/token-lookup.js';

const INACTIVE = '{"active":false}';

/**
 * RFC 7662 token introspection. Only authenticated confidential clients may call it, and a
 * caller learns about a token only if it is the token's own client or an API the token is for
 * lists it in `introspection_clients` (RFC 7662 §4: no token scanning by unrelated clients).
 * Everything else is `{"active": false}`.
 */
export function introspectionEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.post('/introspect', async (request, reply) => {
    const params = formParams(request);
    const { client, confidential } = await authenticateClient(
      ctx,
      request.headers.authorization,
      params,
      request.clientCertificate,
    );
    if (!confidential)
      throw new OAuthError('unauthorized_client', 'introspection requires a confidential client');
    const token = params.require('token');
    // RFC 7662 §2.1: token_type_hint is only a hint; an unknown value must not fail the request.
    const live = await findLiveToken(ctx, token);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache').type('application/json');
    if (!live || !mayIntrospect(ctx, client.clientId, live)) return INACTIVE;
    return introspectionResponse(ctx, live);
  });
}

function mayIntrospect(ctx: IssuerContext, callerId: string, token: LiveToken): boolean {
  if (token.clientId === callerId) return true;
  return token.audience.some((aud) => ctx.resources.find(aud)?.introspectionClients.has(callerId) ?? false);
}

function introspectionResponse(ctx: IssuerContext, token: LiveToken): Record<string, unknown> {
  return {
    active: true,
    scope: token.scope,
    client_id: token.clientId,
    // RFC 9449 §6.2: a DPoP-bound access token is introspected as token_type DPoP, with its cnf.
    token_type: token.kind === 'refresh_token' ? 'refresh_token' : tokenTypeFor(token.confirmation),
    exp: token.expiresAt,
    iat: token.issuedAt,
    sub: token.subject,
    aud: token.audience.length === 1 ? token.audience[0] : token.audience,
    iss: ctx.config.issuer,
    jti: token.jti,
    ...(token.confirmation ? { cnf: token.confirmation } : {}),
  };
}
