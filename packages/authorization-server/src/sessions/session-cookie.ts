import { generateRandomToken, keyedDigest } from '@gatehouse/core';
import { type HostCookie, readCookie } from '../pages/csrf-cookie.js';

/**
 * The session cookie's name. Fixed, not configurable: the `__Host-` prefix makes the browser
 * refuse it unless it is Secure, Path=/ and without Domain (RFC 6265bis §4.1.3.2), so no
 * sibling subdomain can plant or overwrite it.
 */
export const SESSION_COOKIE = '__Host-gatehouse-session' as const;

/** Bytes of the cookie secret: 256 bits, so guessing a live session is hopeless. */
const SECRET_BYTES = 32;
/** generateRandomToken's base64url form of 32 bytes: 43 characters, no padding. */
const WELL_FORMED_SECRET = /^[A-Za-z0-9_-]{43}$/;

/** A new session's cookie secret and the id its row is stored under. */
export interface SessionSecret {
  /** Goes only into the cookie; never stored, never logged. */
  cookieValue: string;
  /** `keyedDigest(sessionKey, cookieValue)`: the row's primary key. */
  id: string;
}

/** Draws a fresh cookie secret and its row id. */
export function generateSessionSecret(sessionKey: Uint8Array): SessionSecret {
  const cookieValue = generateRandomToken(SECRET_BYTES);
  return { cookieValue, id: sessionIdOf(sessionKey, cookieValue) };
}

/**
 * The row id of a cookie value. Keyed (HMAC under a key derived from the master key) rather
 * than a plain hash, so that a copy of the database neither contains a usable cookie nor lets
 * anyone test guesses against the ids without the master key.
 */
export function sessionIdOf(sessionKey: Uint8Array, cookieValue: string): string {
  return keyedDigest(sessionKey, cookieValue);
}

/** Whether a cookie value could be one we issued; anything else is refused unread. */
export function isWellFormedSessionSecret(cookieValue: string): boolean {
  return WELL_FORMED_SECRET.test(cookieValue);
}

/**
 * The cookie that carries a session: HttpOnly (no script ever reads it), Secure, Path=/, and
 * no Max-Age, so it ends with the browser while the server enforces the real timeouts.
 *
 * SameSite=Lax, not Strict: a client sends the person to /authorize by a top-level
 * cross-site navigation, and the sign-in flow ends with one back from the client too. Under
 * Strict the browser withholds the cookie on those, so every authorization request would
 * look signed out (no single sign-on, `prompt=none` always `login_required`). Lax still
 * withholds it from cross-site POSTs, frames and subresource requests; forms carry a CSRF
 * token besides.
 */
export function sessionCookie(cookieValue: string): HostCookie {
  return {
    name: SESSION_COOKIE,
    value: cookieValue,
    secure: true,
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
  };
}

/** Deletes the session cookie (logout, or a cookie whose session has ended). */
export function clearedSessionCookie(): HostCookie {
  return { ...sessionCookie(''), maxAge: 0 };
}

/** The session cookie's value from a `Cookie` header; undefined when absent or sent twice. */
export function readSessionCookie(cookieHeader: string | undefined): string | undefined {
  return readCookie(cookieHeader, SESSION_COOKIE);
}
