import { createHmac, timingSafeEqual } from 'node:crypto';
import { epochSeconds } from '@gatehouse/core';
import type { IssuerContext } from '../context.js';

type NonceContext = Pick<IssuerContext, 'clock' | 'secrets'> & {
  config: { dpop: { nonce_lifetime: number } };
};

/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9), stateless so every node accepts every other
 * node's: a nonce is an HMAC, under a key derived from the master key, of the period it was
 * issued in. Time is cut into periods of `dpop.nonce_lifetime` seconds; a nonce of the current
 * or of the previous period is accepted, so one lives between one and two periods and a client
 * that just received one never meets a boundary it cannot cross. Clients only echo it (§8);
 * it is 22 base64url characters, within the NQCHAR syntax of the DPoP-Nonce header (§8.1).
 */
export function issueDpopNonce(ctx: NonceContext): string {
  return nonceForPeriod(ctx, currentPeriod(ctx));
}

/** Whether `nonce` is one this server issued in the current or the previous period. */
export function isValidDpopNonce(ctx: NonceContext, nonce: string): boolean {
  const given = Buffer.from(nonce);
  const period = currentPeriod(ctx);
  let valid = false;
  // Both periods are compared whatever the first answer is: the time taken says nothing.
  for (const candidate of [period, period - 1]) {
    const expected = Buffer.from(nonceForPeriod(ctx, candidate));
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}

function currentPeriod(ctx: NonceContext): number {
  return Math.floor(epochSeconds(ctx.clock) / ctx.config.dpop.nonce_lifetime);
}

function nonceForPeriod(ctx: NonceContext, period: number): string {
  // 128 bits of the MAC: unforgeable, and short enough for a header a client echoes every time.
  return createHmac('sha256', ctx.secrets.dpopNonce)
    .update(`dpop-nonce:${period}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}
