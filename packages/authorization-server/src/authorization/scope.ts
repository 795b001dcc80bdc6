import { OAuthError } from '@gatehouse/core';
import { SCOPE_CLAIMS } from '../claims/scope-claims.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), tokens separated by one space.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Parses a `scope` parameter into distinct scope tokens, in order. */
export function parseScope(value: string | undefined): string[] {
  if (value === undefined) return [];
  const tokens = value.split(' ');
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw new OAuthError('invalid_scope', 'scope is malformed (RFC 6749 §3.3)');
  }
  return [...new Set(tokens)];
}

/** The scopes a client may be granted, from its registered `scope` metadata. */
export function allowedScopes(clientScope: unknown): Set<string> {
  return new Set(typeof clientScope === 'string' ? clientScope.split(' ').filter(Boolean) : []);
}

/** OpenID Connect Core §5.4 scopes, `openid` and `offline_access` (§11). */
export const OPENID_SCOPES: ReadonlySet<string> = new Set([
  'openid',
  'offline_access',
  ...Object.keys(SCOPE_CLAIMS),
]);

/**
 * The requested scopes the client may be granted, in request order. RFC 7591 §2: a client's
 * registered `scope` lists "scope values that the client can use when requesting access
 * tokens", so:
 *
 * - API scopes: only those its registered `scope` lists.
 * - OpenID scopes: all of them while the registered `scope` names none (a sign-in client need
 *   not repeat the standard ones), only those it names once it names one (a client limited to
 *   `openid email` never gets `profile`, `roles` or `offline_access`).
 *
 * The rest are dropped, not refused: RFC 6749 §3.3 lets the server "fully or partially ignore
 * the scope requested by the client", and the token response then states the scope granted.
 */
export function grantableScopes(clientScope: unknown, requested: readonly string[]): string[] {
  const allowed = allowedScopes(clientScope);
  const limitsOpenId = [...allowed].some((scope) => OPENID_SCOPES.has(scope));
  return requested.filter((scope) => (OPENID_SCOPES.has(scope) && !limitsOpenId ? true : allowed.has(scope)));
}
