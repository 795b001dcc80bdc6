import { randomBytes } from 'node:crypto';

/** A URL-safe random string carrying `bytes * 8` bits of entropy (default 256 bits). */
export function generateRandomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
