import { isOAuthError, OAuthError, type OAuthErrorCode } from '@gatehouse/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IssuerContext } from '../context.js';
import { issueDpopNonce } from '../dpop/nonce.js';
import { verifyResourceDpop } from '../dpop/resource-request.js';
import { DPOP_SIGNING_ALGORITHMS } from '../dpop/verify-proof.js';
import { formParams } from '../http/form-params.js';
import { boundJkt } from '../tokens/confirmation.js';
import { userinfoResponse, verifyUserinfoAccessToken } from '../tokens/userinfo.js';

// RFC 6750 §2.1 and RFC 9449 §7.1: credentials = scheme 1*SP token68; schemes are case-insensitive.
const AUTHORIZATION = /^(Bearer|DPoP) +([A-Za-z0-9._~+/-]+=*)$/i;

// RFC 9449 §7.1: the DPoP challenge's `algs` lists the proof algorithms this resource accepts.
const DPOP_CHALLENGE = `DPoP algs="${DPOP_SIGNING_ALGORITHMS.join(' ')}"`;

type Scheme = 'Bearer' | 'DPoP';

interface PresentedToken {
  scheme: Scheme;
  token: string;
}

/**
 * The UserInfo Endpoint (OIDC Core §5.3): GET and POST. The access token comes as a Bearer
 * token (RFC 6750 §2, as §5.3.1 asks) or, when it is DPoP-bound, with the DPoP scheme and a
 * proof (RFC 9449 §7.1). Errors are `WWW-Authenticate` challenges (RFC 6750 §3, RFC 9449
 * §7.1); every 401 also offers the DPoP scheme.
 */
export function userinfoEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const presented = readAccessToken(request);
    const grant = await challengeOnError(presented.scheme, () =>
      verifyUserinfoAccessToken(ctx, presented.token),
    );
    await assertSender(ctx, request, presented, grant.confirmation);
    const user = await ctx.store.users.findById(grant.subject);
    if (user?.status !== 'active') {
      throw challenge(
        presented.scheme,
        'invalid_token',
        'the access token is not valid',
        `user ${grant.subject} gone or disabled`,
      );
    }
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    // RFC 9449 §9: a resource may hand out the next nonce with any response; with nonces
    // required this spares the client a use_dpop_nonce round trip on its next request.
    if (presented.scheme === 'DPoP' && ctx.config.dpop.require_nonce) {
      reply.header('dpop-nonce', issueDpopNonce(ctx));
    }
    return userinfoResponse(user, grant.scopes);
  };
  app.get('/userinfo', handler);
  app.post('/userinfo', handler);
}

/** The sender check of a bound token: a DPoP proof (RFC 9449 §7) or a certificate (RFC 8705 §3). */
async function assertSender(
  ctx: IssuerContext,
  request: FastifyRequest,
  presented: PresentedToken,
  confirmation: Record<string, string> | null,
): Promise<void> {
  const jkt = boundJkt(confirmation);
  if (presented.scheme === 'DPoP') {
    // The DPoP scheme is for DPoP-bound tokens (§7.1); a Bearer token gains nothing from it.
    if (jkt === undefined) {
      throw challenge('DPoP', 'invalid_token', 'the access token is not valid', 'unbound token, DPoP scheme');
    }
    await challengeOnError('DPoP', () =>
      verifyResourceDpop(ctx, {
        raw: request.raw,
        method: request.method,
        path: '/userinfo',
        accessToken: presented.token,
        jkt,
      }),
    );
    return;
  }
  // RFC 9449 §7.2: a DPoP-bound token is never accepted as a bearer token, or a stolen one
  // could be used without the key simply by naming the other scheme.
  if (jkt !== undefined) {
    throw challenge(
      'DPoP',
      'invalid_token',
      'the access token is not valid',
      'DPoP-bound token sent as Bearer',
    );
  }
  // RFC 8705 §3: a certificate-bound token is accepted only over a mutual-TLS connection
  // with the certificate it is bound to; any other (or none) is invalid_token.
  const boundCertificate = confirmation?.['x5t#S256'];
  if (boundCertificate !== undefined && boundCertificate !== request.clientCertificate?.thumbprint) {
    throw challenge(
      'Bearer',
      'invalid_token',
      'the access token is not valid',
      'certificate-bound token, other or no certificate',
    );
  }
  if (confirmation !== null && boundCertificate === undefined) {
    throw challenge('Bearer', 'invalid_token', 'the access token is not valid', 'unknown confirmation');
  }
}

/** RFC 6750 §2.1 / RFC 9449 §7.1 (Authorization header) or RFC 6750 §2.2 (form, POST); never both. */
function readAccessToken(request: FastifyRequest): PresentedToken {
  const header = request.headers.authorization;
  const form = request.method === 'POST' ? formParams(request).get('access_token') : undefined;
  if (header !== undefined && form !== undefined) {
    // RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the token in each request."
    throw challenge('Bearer', 'invalid_request', 'send the access token in one place only');
  }
  if (form !== undefined) return { scheme: 'Bearer', token: form };
  if (header === undefined) {
    // RFC 6750 §3.1: a request without authentication "SHOULD NOT include an error code".
    throw new OAuthError('invalid_token', 'an access token is required', {
      headers: { 'www-authenticate': `Bearer, ${DPOP_CHALLENGE}` },
    });
  }
  const match = AUTHORIZATION.exec(header);
  if (!match) {
    throw challenge(
      'Bearer',
      'invalid_request',
      'the Authorization header must be Bearer <token> or DPoP <token>',
    );
  }
  return { scheme: match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2]! };
}

const CHALLENGED: readonly OAuthErrorCode[] = [
  'invalid_token',
  'insufficient_scope',
  'invalid_dpop_proof',
  'use_dpop_nonce',
];

async function challengeOnError<T>(scheme: Scheme, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isOAuthError(error) && CHALLENGED.includes(error.code)) {
      throw challenge(scheme, error.code as ChallengeCode, error.description, error.detail, error.headers);
    }
    throw error;
  }
}

type ChallengeCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce';

/**
 * An error with its `WWW-Authenticate` challenge in the scheme the token came in: RFC 6750 §3
 * for Bearer, RFC 9449 §7.1 for DPoP (with `algs`). A Bearer 401 offers DPoP as a second
 * challenge. Proof errors are 401 here, not the token endpoint's 400 (§7.1, §9); headers such
 * as `DPoP-Nonce` (§9) are kept.
 */
function challenge(
  scheme: Scheme,
  code: ChallengeCode,
  description: string,
  detail?: string,
  headers: Record<string, string> = {},
): OAuthError {
  const params = [`error="${code}"`, `error_description="${description}"`];
  if (code === 'insufficient_scope') params.push('scope="openid"');
  const status = code === 'invalid_request' ? 400 : code === 'insufficient_scope' ? 403 : 401;
  let header: string;
  if (scheme === 'DPoP') header = `DPoP ${params.join(', ')}, ${DPOP_CHALLENGE.slice('DPoP '.length)}`;
  else header = `Bearer ${params.join(', ')}${status === 401 ? `, ${DPOP_CHALLENGE}` : ''}`;
  return new OAuthError(code, description, {
    status,
    ...(detail !== undefined ? { detail } : {}),
    headers: { ...headers, 'www-authenticate': header },
  });
}
