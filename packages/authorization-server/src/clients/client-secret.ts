import { constantTimeEqual, generateRandomToken, keyedDigest } from '@gatehouse/core';

/** A new client secret: 256 bits from the CSPRNG. */
export function generateClientSecret(): string {
  return generateRandomToken(32);
}

export function digestClientSecret(key: Uint8Array, secret: string): string {
  return keyedDigest(key, secret);
}

/** Compares a presented secret with the stored digest in constant time. */
export function isClientSecretValid(
  key: Uint8Array,
  presented: string,
  storedDigest: string | null,
): boolean {
  if (storedDigest === null) return false;
  return constantTimeEqual(keyedDigest(key, presented), storedDigest);
}
