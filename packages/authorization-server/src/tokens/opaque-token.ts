import { generateRandomToken, keyedDigest } from '@gatehouse/core';
import type { IssuerContext } from '../context.js';

/** Opaque access tokens; refresh tokens use `gh_rt_`. Secret scanners key on these prefixes. */
export const ACCESS_TOKEN_PREFIX = 'gh_at_';
export const REFRESH_TOKEN_PREFIX = 'gh_rt_';

const TIME_DIGITS = 12;
const RANDOM_BYTES = 32;
// The prefix, 12 lowercase hex digits of the issue time, then 43 base64url characters.
const ORDERED_TOKEN = /^gh_(?:at|rt)_([0-9a-f]{12})[A-Za-z0-9_-]{43}$/;

/**
 * A new opaque access or refresh token: its prefix, the issue time in milliseconds as 12 hex
 * digits, then 256 random bits, which alone are the secret.
 *
 * The time is there for the store. Tokens are looked up by a keyed digest, and a digest is
 * random, so with the digest alone as the key every insert lands on a random index page: the
 * embedded SQLite then writes a whole page to its log for each token, several times the cost of
 * the insert itself. Led by the time, the keys grow in order and inserts append. The time tells
 * a holder of the token nothing a JWT's `iat` would not.
 */
export function generateOpaqueToken(ctx: Pick<IssuerContext, 'clock'>, prefix: string): string {
  const time = Math.max(0, Math.floor(ctx.clock())).toString(16).padStart(TIME_DIGITS, '0');
  return prefix + time.slice(-TIME_DIGITS) + generateRandomToken(RANDOM_BYTES);
}

/**
 * The key a bearer secret is stored and looked up under: its keyed digest (HMAC-SHA-256), so a
 * stolen database holds no usable secret. A token from `generateOpaqueToken` keeps its time
 * digits in front (`<time>.<digest>`); they are public, and a changed digit changes the digest
 * too. Anything else (codes, device codes, request URIs, tokens from before the time digits, and
 * garbage) is keyed by the digest alone.
 */
export function opaqueTokenDigest(ctx: Pick<IssuerContext, 'secrets'>, token: string): string {
  const digest = keyedDigest(ctx.secrets.tokenDigest, token);
  const ordered = ORDERED_TOKEN.exec(token);
  return ordered ? `${ordered[1]}.${digest}` : digest;
}
