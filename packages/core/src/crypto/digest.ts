import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** SHA-256 of the input, base64url encoded (no padding). */
export function sha256Base64Url(input: string | Uint8Array): string {
  return createHash('sha256').update(input).digest('base64url');
}

/**
 * A keyed digest (HMAC-SHA-256, base64url) used to store bearer secrets: a stolen database
 * yields neither the secrets nor a way to test guesses against them without the key. The
 * secrets themselves carry >= 256 bits of entropy, so a slow password hash adds nothing but
 * latency here.
 */
export function keyedDigest(key: Uint8Array, secret: string): string {
  return createHmac('sha256', key).update(secret).digest('base64url');
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // timingSafeEqual needs equal lengths; comparing against self keeps the time uniform.
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
