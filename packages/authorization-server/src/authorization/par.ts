import { generateRandomToken, OAuthError } from '@gatehouse/core';
import { type AuthorizationClient, type InvalidRedirect, invalidRedirect } from './redirect-uri.js';
import { type ParamsLike, type ParamsRecord, paramsFromRecord, recordFromParams } from './request-params.js';

/** RFC 9126 §2.2: the request_uri is a URN with this prefix (registered in §7.1). */
export const PUSHED_REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** Seconds a pushed request stays usable; RFC 9126 §2.2 suggests a short life (its example: 60). */
export const PUSHED_REQUEST_LIFETIME = 60;

export interface PushedRequestUri {
  requestUri: string;
  /** RFC 9126 §2.2 `expires_in`, in seconds. */
  expiresIn: number;
  /** Epoch seconds. */
  expiresAt: number;
}

/** A pushed request as the endpoint reads it back from the store. */
export interface PushedRequest {
  clientId: string;
  params: ParamsRecord;
}

/** Whether a `request_uri` is one this server issued at its PAR endpoint (RFC 9126 §2.2). */
export function isPushedRequestUri(value: string): boolean {
  return value.startsWith(PUSHED_REQUEST_URI_PREFIX);
}

/**
 * The checks only a pushed request has, before it is validated as the authorization endpoint
 * would (RFC 9126 §2.1: the server MUST validate the pushed request "as it would an
 * authorization request sent to the authorization endpoint"). Errors go back as JSON (§2.3).
 *
 * - `request_uri` "MUST NOT be provided in this case" (RFC 9126 §2.1).
 * - The client is the authenticated one: a `client_id` naming another client is refused, and
 *   the stored request always names the authenticated client.
 * - Request objects (RFC 9126 §3, JAR) are not supported.
 *
 * @returns the parameters to store.
 */
export function validatePushedRequest(params: ParamsLike, authenticatedClientId: string): ParamsRecord {
  if (params.get('request_uri') !== undefined) {
    throw new OAuthError('invalid_request', 'request_uri must not be pushed (RFC 9126 §2.1)');
  }
  const clientId = params.get('client_id');
  if (clientId !== undefined && clientId !== authenticatedClientId) {
    throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
  }
  if (params.get('request') !== undefined) {
    throw new OAuthError('request_not_supported', 'request objects are not supported');
  }
  return { ...recordFromParams(params), client_id: authenticatedClientId };
}

/**
 * A new `request_uri`: the URN prefix and 256 random bits, so it cannot be guessed (RFC 9126
 * §7.1 lets the server bind it to the client; the store's consume() does).
 */
export function createPushedRequestUri(now: number, lifetime = PUSHED_REQUEST_LIFETIME): PushedRequestUri {
  return {
    requestUri: PUSHED_REQUEST_URI_PREFIX + generateRandomToken(32),
    expiresIn: lifetime,
    expiresAt: now + lifetime,
  };
}

/**
 * The parameters of an authorization request that names a pushed request (RFC 9126 §4).
 *
 * `client_id` is required beside `request_uri` (§4), and the pushed request must belong to it.
 * Only the pushed parameters are used: any other query parameter is ignored, as for a request
 * object (RFC 9101 §5: the server "MUST only use the parameters in the Request Object even if
 * the same parameter is provided in the query parameter"); RFC 9126 §4 does not make them an
 * error. An unknown, expired or used request_uri cannot be redirected: its redirect URI is
 * unknown, so it is an {@link InvalidRedirect}.
 *
 * @param pushed what the store gave for the request_uri and client_id, if anything.
 */
export function resolvePushedRequest(
  query: ParamsLike,
  pushed: PushedRequest | undefined,
): ParamsLike | InvalidRedirect {
  const clientId = query.get('client_id');
  if (clientId === undefined) return invalidRedirect("missing required parameter 'client_id'");
  if (pushed === undefined || pushed.clientId !== clientId) {
    return invalidRedirect('request_uri is invalid, expired or already used', 'invalid_request_uri');
  }
  return paramsFromRecord(pushed.params);
}

/**
 * RFC 9126 §6: `require_pushed_authorization_requests` means PAR is "the only means of
 * initiating an authorization request the client is allowed to use".
 */
export function assertPushedIfRequired(client: AuthorizationClient, pushed: boolean): void {
  if (!pushed && client.metadata['require_pushed_authorization_requests'] === true) {
    throw new OAuthError('invalid_request', 'this client must use pushed authorization requests (RFC 9126)');
  }
}
