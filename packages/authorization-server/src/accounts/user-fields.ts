import { generateRandomToken } from '@gatehouse/core';

/**
 * Usernames: ASCII letters and digits, then also `.`, `_` and `-`; 1 to 64 characters. ASCII
 * only because look-alike letters from other scripts (Cyrillic `а`, Latin `a`) would let one
 * person pass as another; no `@`, so that a sign-in name with an `@` can only be an email.
 */
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Roles and groups go into tokens as claim values: visible ASCII, no spaces. */
const LABEL = /^[\x21-\x7E]{1,100}$/;

export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 200;

/** A new user id: 128 bits from the CSPRNG, base64url. Opaque, so it says nothing about the person. */
export function generateUserId(): string {
  return generateRandomToken(16);
}

export function usernameProblem(username: string): string | undefined {
  if (USERNAME.test(username)) return undefined;
  return "must be 1-64 characters: ASCII letters, digits, '.', '_' or '-', starting with a letter or digit";
}

/**
 * Deliberately loose: one `@` with something on each side and no whitespace (RFC 5321 §4.5.3.1.3
 * caps a path at 256 octets, so an address at 254 characters). Whether the address works is
 * for a verification mail to find out, not for a pattern.
 */
export function emailProblem(email: string): string | undefined {
  if (email.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) return "must be an email address like 'name@example.com'";
  return undefined;
}

export function nameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'must not be empty';
  if ([...name].length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters`;
  return undefined;
}

/** For a role or group name. */
export function labelProblem(label: string): string | undefined {
  return LABEL.test(label) ? undefined : 'must be 1-100 visible ASCII characters without spaces';
}
