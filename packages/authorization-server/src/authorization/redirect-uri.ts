import type { OAuthErrorCode } from '@gatehouse/core';
import type { ClientRecord } from '@gatehouse/store';

declare const validated: unique symbol;

/**
 * A redirect URI that {@link resolveRedirectUri} matched against the client's registration. Only
 * a value of this type can be given to the response builders, so a response is never sent to an
 * unchecked URI (RFC 6749 §4.1.2.1: the server "MUST NOT automatically redirect the user-agent
 * to the invalid redirection URI").
 */
export type ValidatedRedirectUri = string & { readonly [validated]: true };

/**
 * The request cannot be answered by a redirect: the client or its redirect URI did not check
 * out, so the error is shown to the person as a page (RFC 6749 §4.1.2.1, OAuth 2.1 §4.1.2.1).
 */
export interface InvalidRedirect {
  readonly kind: 'invalid_redirect';
  readonly error: OAuthErrorCode;
  /** Safe to show on the error page. */
  readonly description: string;
}

/** The fields of a client record the authorization request reads. */
export type AuthorizationClient = Pick<ClientRecord, 'clientId' | 'metadata'>;

export function invalidRedirect(
  description: string,
  error: OAuthErrorCode = 'invalid_request',
): InvalidRedirect {
  return { kind: 'invalid_redirect', error, description };
}

export function isInvalidRedirect(value: unknown): value is InvalidRedirect {
  return (value as InvalidRedirect | undefined)?.kind === 'invalid_redirect';
}

// RFC 8252 §7.3: "http" with the IPv4 or IPv6 loopback literal; the port is group 2.
const LOOPBACK_IP_URI = /^(http:\/\/(?:127\.0\.0\.1|\[::1\]))(?::(\d{1,5}))?([/?].*)?$/s;

/** Whether `uri` is an http URI on the loopback IP literal 127.0.0.1 or [::1] (RFC 8252 §7.3). */
export function isLoopbackIpUri(uri: string): boolean {
  return loopbackWithoutPort(uri) !== undefined;
}

/** The URI with its port removed, or undefined if it is not a loopback IP http URI. */
function loopbackWithoutPort(uri: string): string | undefined {
  const match = LOOPBACK_IP_URI.exec(uri);
  if (!match) return undefined;
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
  return match[1]! + (match[3] ?? '');
}

/**
 * Picks the redirect URI of an authorization request, or says it must not be redirected to.
 *
 * - Exact string comparison: RFC 9700 §4.1.3 and OAuth 2.1 §2.3.1 ("the authorization server
 *   MUST compare the two URIs using simple string comparison").
 * - Native apps' loopback URIs match on any port: RFC 8252 §7.3 ("The authorization server MUST
 *   allow any port to be specified at the time of the request for loopback IP redirect URIs"),
 *   scheme, host, path and query still compared exactly.
 * - No `redirect_uri`: allowed only when exactly one is registered (OAuth 2.1 §2.3.2: "If
 *   multiple redirect URIs have been registered, the client MUST include a redirect URI with the
 *   authorization request"; §4.1.1: redirect_uri is "OPTIONAL if only one redirect URI is
 *   registered for this client").
 */
export function resolveRedirectUri(
  client: AuthorizationClient,
  requested: string | undefined,
): ValidatedRedirectUri | InvalidRedirect {
  const registered = registeredRedirectUris(client);
  if (registered.length === 0) return invalidRedirect('the client has no registered redirect_uri');
  if (requested === undefined) {
    if (registered.length === 1) return registered[0] as ValidatedRedirectUri;
    return invalidRedirect("missing required parameter 'redirect_uri'");
  }
  if (registered.includes(requested)) return requested as ValidatedRedirectUri;
  if (client.metadata['application_type'] === 'native') {
    const withoutPort = loopbackWithoutPort(requested);
    if (withoutPort !== undefined && registered.some((uri) => loopbackWithoutPort(uri) === withoutPort)) {
      return requested as ValidatedRedirectUri;
    }
  }
  return invalidRedirect('redirect_uri is not registered for this client');
}

function registeredRedirectUris(client: AuthorizationClient): string[] {
  const uris = client.metadata.redirect_uris;
  return Array.isArray(uris) ? uris.filter((uri): uri is string => typeof uri === 'string') : [];
}
