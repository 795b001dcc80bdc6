import type { FastifyInstance } from 'fastify';
import { PROMPTS } from '../authorization/authorization-request.js';
import { OPENID_SCOPES } from '../authorization/scope.js';
import { SUPPORTED_UI_LOCALES } from '../authorization/ui-locales.js';
import { SUPPORTED_CLAIMS } from '../claims/scope-claims.js';
import { ASSERTION_ALGORITHMS } from '../client-auth/private-key-jwt.js';
import type { IssuerContext } from '../context.js';
import { DPOP_SIGNING_ALGORITHMS } from '../dpop/verify-proof.js';
import { grants } from '../grants/index.js';
import { signingAlgsInUse } from '../keys/signing-algs.js';
import { mutualTlsMetadata } from '../tls/mtls-metadata.js';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

/** RFC 8414 metadata: only what this server really supports. */
export function serverMetadata(ctx: IssuerContext): Record<string, unknown> {
  const apiScopes = [...new Set(ctx.resources.all().flatMap((r) => [...r.scopes]))].sort();
  // OIDC Discovery §3: "The server MUST support the openid scope value"; the others are the
  // OIDC Core §5.4 / §11 scopes this server answers, then each API's.
  const scopes = [...new Set([...OPENID_SCOPES, ...apiScopes])];
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
    // `none`: public clients (browser and native apps, devices) redeem codes and device codes
    // with PKCE or a device code instead of a secret (RFC 7591 §2).
    token_endpoint_auth_methods_supported: [...AUTH_METHODS, 'none'],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS, 'none'],
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    // RFC 9449 §5.1: the JWS algorithms this server accepts in DPoP proofs.
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGORITHMS],
    ...openIdProviderMetadata(ctx),
    // RFC 8705: mutual-TLS client authentication, bound tokens and endpoint aliases.
    ...mutualTlsMetadata(ctx, AUTH_METHODS),
  };
}

/**
 * OpenID Connect Discovery §3 metadata beyond RFC 8414. Only what is true here: no signed or
 * encrypted UserInfo (so no userinfo_signing_alg_values_supported), no request objects, no
 * `claims` parameter (OIDC Core §5.5 is optional and ignored when sent).
 */
function openIdProviderMetadata(ctx: IssuerContext): Record<string, unknown> {
  return {
    // §3: REQUIRED, and "The value none MAY be supported but MUST NOT be used unless the
    // Response Type used returns no ID Token from the Authorization Endpoint"; RS256 "MUST be
    // included". Every alg listed has an active key from the start (signingAlgsInUse).
    id_token_signing_alg_values_supported: signingAlgsInUse(ctx.config),
    // §3: REQUIRED. Every client sees the same `sub` for a user (OIDC Core §8).
    subject_types_supported: ['public'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'acr',
      'amr',
      'sid',
      ...SUPPORTED_CLAIMS,
    ],
    prompt_values_supported: [...PROMPTS],
    // Pages are rendered in English; ui_locales is accepted and unknown tags are ignored.
    ui_locales_supported: [...SUPPORTED_UI_LOCALES],
    claims_parameter_supported: false,
    // OIDC Core §3.1.2.6: `request` and a `request_uri` not from PAR are refused (a PAR
    // request_uri is announced by pushed_authorization_request_endpoint, RFC 9126 §5).
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // RP-Initiated Logout 1.0 §2.1 and Back-Channel Logout 1.0 §2.1: logout tokens always
    // carry `sid`, as do ID tokens issued through a session.
    end_session_endpoint: ctx.endpoints.endSession,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
}

/**
 * Serves the metadata at `url`: RFC 8414 §3 `/.well-known/oauth-authorization-server` with the
 * issuer's path appended (§3.1), registered at the root of the host, and OpenID Connect
 * Discovery §4 `/.well-known/openid-configuration`, registered under the issuer's path.
 */
export function metadataEndpoint(app: FastifyInstance, ctx: IssuerContext, url: string): void {
  const body = JSON.stringify(serverMetadata(ctx));
  app.get(url, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300').type('application/json');
    return body;
  });
}
