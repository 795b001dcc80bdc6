import type { FastifyInstance } from 'fastify';
import { ASSERTION_ALGORITHMS } from '../client-auth/private-key-jwt.js';
import type { IssuerContext } from '../context.js';
import { grants } from '../grants/index.js';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

/** RFC 8414 metadata: only what this server really supports. */
export function serverMetadata(ctx: IssuerContext): Record<string, unknown> {
  const scopes = [...new Set(ctx.resources.all().flatMap((r) => [...r.scopes]))].sort();
  return {
    issuer: ctx.config.issuer,
    authorization_endpoint: `${ctx.config.issuer}/authorize`,
    token_endpoint: ctx.endpoints.token,
    jwks_uri: ctx.endpoints.jwks,
    introspection_endpoint: ctx.endpoints.introspection,
    revocation_endpoint: ctx.endpoints.revocation,
    userinfo_endpoint: `${ctx.config.issuer}/userinfo`,
    scopes_supported: scopes,
    pushed_authorization_request_endpoint: `${ctx.config.issuer}/par`,
    // RFC 8628 §4: the device grant's endpoint; its grant type is in grant_types_supported.
    device_authorization_endpoint: ctx.endpoints.deviceAuthorization,
    // OAuth 2.1: the authorization code flow only, with PKCE S256 for every client.
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    // RFC 9207 §3: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    // RFC 9126 §5: PAR is optional server-wide; a client's own setting can require it.
    require_pushed_authorization_requests: false,
    grant_types_supported: [...grants.keys()],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS, 'none'],
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
  };
}

/** Discovery at both well-known locations (RFC 8414 §3, OpenID Connect Discovery §4). */
export function discoveryEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  const body = JSON.stringify(serverMetadata(ctx));
  const handler = async (_request: unknown, reply: import('fastify').FastifyReply) => {
    reply.header('cache-control', 'public, max-age=300').type('application/json');
    return body;
  };
  app.get('/.well-known/oauth-authorization-server', handler);
  app.get('/.well-known/openid-configuration', handler);
}
