import { epochSeconds } from '@gatehouse/core';
import type { DeviceAuthorizationRecord } from '@gatehouse/store';
import type { IssuerContext } from '../context.js';
import { normalizeUserCode, userCodeDigest } from './user-code.js';
import { recordUnknownUserCode, userCodeWait } from './verification-throttle.js';

/** What a code a person entered names. */
export type UserCodeLookup =
  | { ok: true; userCode: string; found: DeviceAuthorizationRecord }
  | { ok: false; problem: 'malformed' }
  | { ok: false; problem: 'unknown' }
  | { ok: false; problem: 'throttled'; retryAfter: number };

/**
 * Finds the device authorization a typed code names, in the order that keeps guessing
 * expensive: a string that cannot be a code is refused without a lookup (and is no guess);
 * an address or the whole server that has guessed wrong too often waits before its code is
 * even looked up; a well-formed code that names nothing is counted against both. A found
 * code counts nothing, whatever its state (the caller judges expiry and status).
 */
export async function lookUpUserCode(
  ctx: IssuerContext,
  typed: string,
  address: string,
): Promise<UserCodeLookup> {
  const result = await lookUp(ctx, typed, address);
  // Operators watch `unknown` and `throttled` for user-code guessing (RFC 8628 §5.1).
  ctx.metrics.deviceUserCodes.inc({ outcome: result.ok ? 'found' : result.problem });
  return result;
}

async function lookUp(ctx: IssuerContext, typed: string, address: string): Promise<UserCodeLookup> {
  const userCode = normalizeUserCode(typed);
  if (userCode === undefined) return { ok: false, problem: 'malformed' };
  const now = epochSeconds(ctx.clock);
  const wait = await userCodeWait(ctx, address, now);
  if (wait !== undefined) {
    ctx.logger.warn({ event: 'device_user_code_throttled', address }, 'user code entry throttled');
    return { ok: false, problem: 'throttled', retryAfter: wait };
  }
  const found = await ctx.store.deviceAuthorizations.findByUserCode(userCodeDigest(ctx.secrets, userCode));
  if (!found) {
    await recordUnknownUserCode(ctx, address, now);
    ctx.logger.warn({ event: 'device_user_code_unknown', address }, 'unknown user code entered');
    return { ok: false, problem: 'unknown' };
  }
  return { ok: true, userCode, found };
}
