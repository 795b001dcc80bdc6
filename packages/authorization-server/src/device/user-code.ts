import { hkdfSync, randomInt } from 'node:crypto';
import { keyedDigest } from '@gatehouse/core';
import type { DerivedKeys } from '../keys/master-key.js';

/**
 * RFC 8628 §6.1: "base-20 ... BCDFGHJKLMNPQRSTVWXZ": consonants only, no vowels (so no words
 * are spelled by accident) and none that look alike in print. 8 characters give 20^8 ≈ 2^34.6
 * codes, the RFC's own example.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

const WELL_FORMED = new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`);
/** Separators a person may type or a page may show between the groups: spaces and dashes. */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/gu;

/**
 * A new user code, normalised (8 letters, no separator). Each character is drawn with
 * `crypto.randomInt`, which is uniform over the alphabet (no modulo bias) and comes from the
 * CSPRNG: RFC 8628 §5.1 relies on the code being unguessable within its lifetime.
 */
export function generateUserCode(draw: (max: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[draw(USER_CODE_ALPHABET.length)];
  return code;
}

/** How a code is shown and put in verification_uri_complete: `WDJB-MJHT` (RFC 8628 §6.1). */
export function formatUserCode(normalised: string): string {
  return `${normalised.slice(0, 4)}-${normalised.slice(4)}`;
}

/**
 * The code a person typed, normalised for an exact lookup: RFC 8628 §6.1, "the user code
 * SHOULD be case-insensitive" and "the characters ... [dashes] ... should be ignored"; spaces
 * too, since people copy codes with them. Undefined when it cannot be a code at all, so a
 * typo costs no database lookup and counts as no guess.
 */
export function normalizeUserCode(input: string): string | undefined {
  if (input.length > 64) return undefined;
  const normalised = input.normalize('NFKC').replace(SEPARATORS, '').toUpperCase();
  return WELL_FORMED.test(normalised) ? normalised : undefined;
}

const subKeys = new WeakMap<Uint8Array, Uint8Array>();

/**
 * The stored form of a normalised user code: a keyed digest under a key derived for user
 * codes alone. The code is short (34.6 bits), so an unkeyed hash in a database dump could be
 * reversed by trying every code; without the master key it cannot.
 */
export function userCodeDigest(secrets: Pick<DerivedKeys, 'tokenDigest'>, normalised: string): string {
  let key = subKeys.get(secrets.tokenDigest);
  if (!key) {
    key = new Uint8Array(
      hkdfSync('sha256', secrets.tokenDigest, Buffer.from('gatehouse'), Buffer.from('device-user-code'), 32),
    );
    subKeys.set(secrets.tokenDigest, key);
  }
  return keyedDigest(key, normalised);
}
