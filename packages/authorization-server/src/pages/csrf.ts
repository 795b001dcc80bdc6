import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '@gatehouse/core';

/**
 * CSRF tokens for the pages' forms: an HMAC over a per-browser binding (the random value of
 * the `__Host-gatehouse-csrf` cookie, see csrf-cookie.ts), the form's purpose and an expiry.
 * A forged cross-site POST carries the browser's cookie but cannot know a token for it; a
 * token lifted from another browser does not match this browser's cookie; a token for one
 * form does not work on another. Nothing is stored on the server.
 *
 * The key is derived from the master key with HKDF (its own `info`, like keys/master-key.ts),
 * so it is used for nothing else.
 *
 * Token format: `v1.<expiry, epoch seconds>.<base64url HMAC-SHA-256>`.
 */

/**
 * What a form is for. Put the thing acted on into it (`login:<interaction id>`,
 * `end-session`) so that a token cannot be replayed on a different form.
 */
export type CsrfPurpose = string;

export interface IssueCsrfTokenOptions {
  readonly key: Uint8Array;
  /** The per-browser value the token is bound to: the CSRF cookie's value. */
  readonly binding: string;
  readonly purpose: CsrfPurpose;
  /** Epoch seconds, from the injected clock. */
  readonly now: number;
  /** Lifetime in seconds; a form left open longer than this must be reloaded. */
  readonly ttl: number;
}

export interface VerifyCsrfTokenOptions {
  readonly key: Uint8Array;
  /** The CSRF cookie's value on this request; `undefined` when the browser sent none. */
  readonly binding: string | undefined;
  readonly purpose: CsrfPurpose;
  readonly now: number;
  /** The `csrf_token` form field; `undefined` when absent. */
  readonly token: string | undefined;
}

/** Why a token was refused: for logs only; the person sees one generic "please try again" page. */
export type CsrfFailureReason =
  | 'missing_token'
  | 'missing_binding'
  | 'malformed_token'
  | 'malformed_purpose'
  | 'signature_mismatch'
  | 'expired';

export type CsrfVerification =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: CsrfFailureReason };

const VERSION = 'v1';
const TOKEN = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
export const CSRF_BINDING_BYTES = 32;
const MIN_KEY_BYTES = 32;

/** A fresh random binding for a browser that has no CSRF cookie yet. */
export function generateCsrfBinding(): string {
  return randomBytes(CSRF_BINDING_BYTES).toString('base64url');
}

function sign(key: Uint8Array, binding: string, purpose: string, expiresAt: number): string {
  // NUL cannot occur in any of the parts (checked below), so the encoding is unambiguous.
  return createHmac('sha256', key)
    .update(`gatehouse-csrf-${VERSION}\0${purpose}\0${binding}\0${expiresAt}`)
    .digest('base64url');
}

function assertKey(key: Uint8Array): void {
  if (key.length < MIN_KEY_BYTES) throw new TypeError(`the CSRF key must be at least ${MIN_KEY_BYTES} bytes`);
}

function assertPart(name: string, value: string): void {
  if (value === '' || value.includes('\0'))
    throw new TypeError(`the CSRF ${name} must be non-empty text without NUL`);
}

export function issueCsrfToken(options: IssueCsrfTokenOptions): string {
  assertKey(options.key);
  assertPart('binding', options.binding);
  assertPart('purpose', options.purpose);
  if (!Number.isSafeInteger(options.ttl) || options.ttl <= 0) {
    throw new TypeError('the CSRF token ttl must be a positive whole number of seconds');
  }
  const expiresAt = Math.floor(options.now) + options.ttl;
  return `${VERSION}.${expiresAt}.${sign(options.key, options.binding, options.purpose, expiresAt)}`;
}

/**
 * Checks, in order: a token was sent, the browser has a binding cookie, the token is well
 * formed, its MAC matches this binding and purpose (constant time), and it has not expired.
 * Expiry is judged only on an authentic token, so `expired` in a log means a real, old form.
 */
export function verifyCsrfToken(options: VerifyCsrfTokenOptions): CsrfVerification {
  assertKey(options.key);
  if (options.purpose === '') throw new TypeError('the CSRF purpose must be non-empty text without NUL');
  // The purpose names what the form acts on, often a posted field (`login:<interaction_id>`):
  // one with NUL comes from a forged request, since no token is ever issued for it.
  if (options.purpose.includes('\0')) return { ok: false, reason: 'malformed_purpose' };
  if (!options.token) return { ok: false, reason: 'missing_token' };
  if (!options.binding || options.binding.includes('\0')) return { ok: false, reason: 'missing_binding' };
  const match = TOKEN.exec(options.token);
  if (!match) return { ok: false, reason: 'malformed_token' };
  const expiresAt = Number(match[1]);
  const expected = sign(options.key, options.binding, options.purpose, expiresAt);
  if (!constantTimeEqual(match[2]!, expected)) return { ok: false, reason: 'signature_mismatch' };
  if (options.now >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true };
}
