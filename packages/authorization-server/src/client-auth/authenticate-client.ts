import { invalidClient, OAuthError } from '@gatehouse/core';
import type { ClientRecord } from '@gatehouse/store';
import { isClientSecretValid } from '../clients/client-secret.js';
import type { IssuerContext } from '../context.js';
import type { FormParams } from '../http/form-params.js';
import type { PresentedCertificate } from '../tls/client-certificate.js';
import {
  BASIC_CHALLENGE,
  MUTUAL_TLS_METHODS,
  type PresentedCredentials,
  readPresentedCredentials,
} from './presented-credentials.js';
import { verifyClientAssertion } from './private-key-jwt.js';
import { verifySelfSignedTlsClientAuth } from './self-signed-tls-client-auth.js';
import { verifyTlsClientAuth } from './tls-client-auth.js';

export interface AuthenticatedClient {
  client: ClientRecord;
  /** True when the client proved possession of a credential (any method but `none`). */
  confidential: boolean;
}

/**
 * Authenticates the client of a token, introspection or revocation request with the method it
 * registered, and only that one.
 */
export async function authenticateClient(
  ctx: IssuerContext,
  authorization: string | undefined,
  params: FormParams,
  /** The request's TLS client certificate (`request.clientCertificate`), for RFC 8705 clients. */
  certificate?: PresentedCertificate,
): Promise<AuthenticatedClient> {
  const presented = readPresentedCredentials(authorization, params);
  if (!presented) throw invalidClient('no client authentication included');
  const challenge = presented.method === 'client_secret_basic' ? { headers: BASIC_CHALLENGE } : {};

  const clientId = presented.clientId ?? unverifiedAssertionIssuer(presented);
  const client = clientId === undefined ? undefined : await ctx.findClient(clientId);
  if (!client) throw invalidClient(`unknown client '${clientId}'`, challenge);

  const registered = client.metadata.token_endpoint_auth_method;
  // RFC 8705 §2: a mutual-TLS client sends its client_id in the body and nothing else; the
  // certificate of the connection is its credential.
  if (presented.method === 'none' && MUTUAL_TLS_METHODS.has(registered)) {
    if (registered === 'tls_client_auth') verifyTlsClientAuth(ctx, client, certificate);
    else await verifySelfSignedTlsClientAuth(client, certificate);
    return { client, confidential: true };
  }
  if (registered !== presented.method) {
    throw invalidClient(`client registered ${registered} but used ${presented.method}`, challenge);
  }
  switch (presented.method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (!isClientSecretValid(ctx.secrets.secretDigest, presented.secret, client.secretDigest)) {
        throw invalidClient('wrong client secret', challenge);
      }
      return { client, confidential: true };
    case 'private_key_jwt':
      await verifyClientAssertion(ctx, client, presented.assertion);
      return { client, confidential: true };
    case 'none':
      return { client, confidential: false };
  }
}

/** The client_id of an assertion sent without one: its `sub`, read only to find the keys. */
function unverifiedAssertionIssuer(presented: PresentedCredentials): string | undefined {
  if (presented.method !== 'private_key_jwt') return undefined;
  const payload = presented.assertion.split('.')[1];
  if (!payload) throw invalidClient('client_assertion is not a JWT');
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    if (typeof claims.sub === 'string') return claims.sub;
  } catch {
    // fall through: an unreadable assertion is an authentication failure, not a server error
  }
  throw invalidClient('client_assertion has no readable sub claim');
}

/** RFC 6749 §4.4 and friends: grants and endpoints that need a confidential client. */
export function assertConfidential(authenticated: AuthenticatedClient, what: string): void {
  if (!authenticated.confidential) {
    throw new OAuthError('unauthorized_client', `${what} requires a confidential client`);
  }
}
