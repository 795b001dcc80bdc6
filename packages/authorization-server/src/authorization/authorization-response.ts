import type { OAuthError } from '@gatehouse/core';
import type { ValidatedRedirectUri } from './redirect-uri.js';

/**
 * Where a response goes: a redirect URI that phase 1 validated, and the request's `state`.
 * Both a ValidatedClientRedirect and an AuthorizationRequest are one.
 */
export interface ResponseTarget {
  redirectUri: ValidatedRedirectUri;
  state: string | undefined;
}

/**
 * The success redirect (RFC 6749 §4.1.2): `code`, `state` if the request had one, and `iss`
 * (RFC 9207 §2; discovery then advertises `authorization_response_iss_parameter_supported:
 * true`, §3), in the query component, the only response mode served.
 */
export function buildSuccessRedirect(target: ResponseTarget, code: string, issuer: string): string {
  const params = new URLSearchParams({ code });
  if (target.state !== undefined) params.set('state', target.state);
  params.set('iss', issuer);
  return addQueryParameters(target.redirectUri, params);
}

/**
 * The error redirect (RFC 6749 §4.1.2.1): `error`, `error_description`, `state`, `iss`
 * (RFC 9207 §2 applies to error responses too). Only for errors found after phase 1; the
 * types allow no other redirect URI.
 */
export function buildErrorRedirect(target: ResponseTarget, error: OAuthError, issuer: string): string {
  const params = new URLSearchParams({ error: error.code, error_description: error.description });
  if (target.state !== undefined) params.set('state', target.state);
  params.set('iss', issuer);
  return addQueryParameters(target.redirectUri, params);
}

/**
 * RFC 6749 §3.1.2: the redirect URI "MAY include an application/x-www-form-urlencoded formatted
 * query component, which MUST be retained when adding additional query parameters". The
 * registered text is kept as it is (not re-serialized through URL, which would re-encode it).
 */
function addQueryParameters(uri: string, params: URLSearchParams): string {
  const hash = uri.indexOf('#');
  // Registered URIs have no fragment (RFC 6749 §3.1.2); should one slip through, the query
  // still goes before it.
  const base = hash === -1 ? uri : uri.slice(0, hash);
  const fragment = hash === -1 ? '' : uri.slice(hash);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${params.toString()}${fragment}`;
}
