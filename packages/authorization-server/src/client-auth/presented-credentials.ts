import { invalidClient, OAuthError } from '@gatehouse/core';
import type { FormParams } from '../http/form-params.js';

export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'private_key_jwt'
  | 'tls_client_auth'
  | 'self_signed_tls_client_auth'
  | 'none';

/** RFC 8705 §2: methods whose credential is the TLS client certificate, with client_id in the body. */
export const MUTUAL_TLS_METHODS: ReadonlySet<string> = new Set([
  'tls_client_auth',
  'self_signed_tls_client_auth',
]);

/** What the request offers as client authentication, before anything is checked. */
export type PresentedCredentials =
  | { method: 'client_secret_basic'; clientId: string; secret: string }
  | { method: 'client_secret_post'; clientId: string; secret: string }
  | { method: 'private_key_jwt'; clientId: string | undefined; assertion: string }
  | { method: 'none'; clientId: string };

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** RFC 6749 §5.2: a failed Basic attempt gets 401 with a challenge for the scheme it used. */
export const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="gatehouse", charset="UTF-8"' };

/**
 * Reads the credentials from the Authorization header and the body. RFC 6749 §2.3: "The
 * client MUST NOT use more than one authentication method in each request."
 */
export function readPresentedCredentials(
  authorization: string | undefined,
  params: FormParams,
): PresentedCredentials | undefined {
  const found: PresentedCredentials[] = [];
  // "Basic" with nothing after it (Node trims the header's trailing space) is still a Basic
  // attempt, owed RFC 6749 §5.2's 401 with the Basic challenge.
  if (authorization !== undefined && /^basic(?: |$)/i.test(authorization))
    found.push(parseBasic(authorization));

  const assertionType = params.get('client_assertion_type');
  const assertion = params.get('client_assertion');
  if (assertionType !== undefined || assertion !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION) {
      throw new OAuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    }
    if (assertion === undefined)
      throw new OAuthError('invalid_request', "missing required parameter 'client_assertion'");
    found.push({ method: 'private_key_jwt', clientId: params.get('client_id'), assertion });
  }

  const secret = params.get('client_secret');
  const clientId = params.get('client_id');
  if (secret !== undefined) {
    if (clientId === undefined)
      throw new OAuthError('invalid_request', 'client_secret given without client_id');
    found.push({ method: 'client_secret_post', clientId, secret });
  }

  if (found.length > 1) {
    throw new OAuthError('invalid_request', 'more than one client authentication method was used');
  }
  if (found.length === 1) {
    const only = found[0]!;
    // A client_id in the body must name the same client as the credentials.
    if (only.method === 'client_secret_basic' && clientId !== undefined && clientId !== only.clientId) {
      throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
    }
    return only;
  }
  return clientId === undefined ? undefined : { method: 'none', clientId };
}

function parseBasic(header: string): PresentedCredentials {
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw invalidClient('malformed Basic credentials', { headers: BASIC_CHALLENGE });
  let clientId: string;
  let secret: string;
  try {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and encoded.
    clientId = decodeFormComponent(decoded.slice(0, colon));
    secret = decodeFormComponent(decoded.slice(colon + 1));
  } catch {
    throw invalidClient('malformed percent-encoding in Basic credentials', { headers: BASIC_CHALLENGE });
  }
  // Appendix A: a client_id is VSCHARs, so NUL names no client, and PostgreSQL could not even
  // look it up (text cannot hold U+0000).
  if (clientId.includes('\0') || secret.includes('\0')) {
    throw invalidClient('NUL in Basic credentials', { headers: BASIC_CHALLENGE });
  }
  return { method: 'client_secret_basic', clientId, secret };
}

function decodeFormComponent(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
