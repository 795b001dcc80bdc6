import { isOAuthError, OAuthError } from '@gatehouse/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IssuerContext } from '../context.js';
import { formParams } from '../http/form-params.js';
import { userinfoResponse, verifyUserinfoAccessToken } from '../tokens/userinfo.js';

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive.
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * The UserInfo Endpoint (OIDC Core §5.3): GET and POST, "The Access Token obtained from an
 * OpenID Connect Authentication Request MUST be sent as a Bearer Token, per Section 2 of
 * OAuth 2.0 Bearer Token Usage [RFC6750]". Errors are RFC 6750 §3 challenges.
 */
export function userinfoEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  const handler = async (request: FastifyRequest) => {
    const token = readBearerToken(request);
    const grant = await challengeOnError(() => verifyUserinfoAccessToken(ctx, token));
    // RFC 8705 §3: a certificate-bound token is accepted only over a mutual-TLS connection
    // with the certificate it is bound to; any other (or none) is invalid_token.
    const boundCertificate = grant.confirmation?.['x5t#S256'];
    if (boundCertificate !== undefined && boundCertificate !== request.clientCertificate?.thumbprint) {
      throw challenge(
        'invalid_token',
        'the access token is not valid',
        'certificate-bound token, other or no certificate',
      );
    }
    // A DPoP-bound token needs its proof checked, which this endpoint cannot yet do.
    if (grant.confirmation !== null && boundCertificate === undefined) {
      throw challenge('invalid_token', 'the access token is not valid', 'sender-constrained token');
    }
    const user = await ctx.store.users.findById(grant.subject);
    if (user?.status !== 'active') {
      throw challenge(
        'invalid_token',
        'the access token is not valid',
        `user ${grant.subject} gone or disabled`,
      );
    }
    return userinfoResponse(user, grant.scopes);
  };
  app.get('/userinfo', async (request, reply) => {
    const body = await handler(request);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return body;
  });
  app.post('/userinfo', async (request, reply) => {
    const body = await handler(request);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return body;
  });
}

/** RFC 6750 §2.1 (Authorization header) or §2.2 (form body, POST only); never both. */
function readBearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const form = request.method === 'POST' ? formParams(request).get('access_token') : undefined;
  if (header !== undefined && form !== undefined) {
    // RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the token in each request."
    throw challenge('invalid_request', 'send the access token in one place only');
  }
  if (form !== undefined) return form;
  if (header === undefined) {
    // RFC 6750 §3.1: a request without authentication "SHOULD NOT include an error code".
    throw new OAuthError('invalid_token', 'an access token is required', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  const match = BEARER.exec(header);
  if (!match) throw challenge('invalid_request', 'the Authorization header must be Bearer <token>');
  return match[1]!;
}

async function challengeOnError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isOAuthError(error) && (error.code === 'invalid_token' || error.code === 'insufficient_scope')) {
      throw challenge(error.code, error.description, error.detail);
    }
    throw error;
  }
}

/** An RFC 6750 §3 error with its `WWW-Authenticate: Bearer error=...` challenge. */
function challenge(
  code: 'invalid_request' | 'invalid_token' | 'insufficient_scope',
  description: string,
  detail?: string,
): OAuthError {
  const header = `Bearer error="${code}", error_description="${description}"`;
  return new OAuthError(code, description, {
    ...(detail !== undefined ? { detail } : {}),
    headers: { 'www-authenticate': code === 'insufficient_scope' ? `${header}, scope="openid"` : header },
  });
}
