import { OAuthError } from '@gatehouse/core';

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
