import type { LoginAttemptRecord, Store } from '@gatehouse/store';
import {
  addressThrottleKey,
  isBeyondAllowance,
  lockedUntil,
  type ThrottleRule,
} from '../accounts/login-throttle.js';
import type { DeviceConfig } from '../config/schema.js';

/**
 * Brute-force protection of user codes (RFC 8628 §5.1: "the authorization server MUST rate
 * limit" user code entry). A user code has 34.6 bits, so guessing is throttled both per
 * address (IPv6: per /64) and in total, for an attacker with many addresses. It is the
 * sign-in throttle's design and counters (`store.loginAttempts`) under keys of its own: a
 * few free failures, then a wait that doubles with each further one.
 */
export interface VerificationThrottleContext {
  store: Pick<Store, 'loginAttempts' | 'replay'>;
  config: { device: Pick<DeviceConfig, 'verification_throttle'> };
}

const TOTAL_KEY = 'device-user-code:total';

function rules(ctx: VerificationThrottleContext): { address: ThrottleRule; total: ThrottleRule } {
  const { address_failures, total_failures, base_delay, max_delay, forget_after } =
    ctx.config.device.verification_throttle;
  const shared = { baseDelay: base_delay, maxDelay: max_delay, forgetAfter: forget_after };
  return {
    address: { freeFailures: address_failures, ...shared },
    total: { freeFailures: total_failures, ...shared },
  };
}

function addressKey(address: string): string {
  return `device-user-code:${addressThrottleKey(address)}`;
}

/**
 * Seconds this address must wait before a user code it enters is looked up, or undefined
 * when it may be now. Beyond the allowance at most one attempt a second is let through per
 * key, claimed atomically in the replay store, so a burst at the instant a wait ends is not
 * all checked (as for sign-in).
 */
export async function userCodeWait(
  ctx: VerificationThrottleContext,
  address: string,
  now: number,
): Promise<number | undefined> {
  const { address: addressRule, total: totalRule } = rules(ctx);
  const keys = [addressKey(address), TOTAL_KEY] as const;
  const [addressRecord, totalRecord] = await Promise.all(
    keys.map((key) => ctx.store.loginAttempts.find(key, now)),
  );
  return (
    (await waitFor(ctx, keys[0], addressRecord, addressRule, now)) ??
    (await waitFor(ctx, keys[1], totalRecord, totalRule, now))
  );
}

/**
 * Counts an unknown user code against the address and the total. Returns the seconds until
 * the next attempt will be looked up, or undefined when it may follow at once.
 */
export async function recordUnknownUserCode(
  ctx: VerificationThrottleContext,
  address: string,
  now: number,
): Promise<number | undefined> {
  const { address: addressRule, total: totalRule } = rules(ctx);
  const [addressRecord, totalRecord] = await Promise.all([
    ctx.store.loginAttempts.recordFailure(addressKey(address), now, now + addressRule.forgetAfter),
    ctx.store.loginAttempts.recordFailure(TOTAL_KEY, now, now + totalRule.forgetAfter),
  ]);
  const until = Math.max(
    lockedUntil(addressRecord, addressRule, now) ?? now,
    lockedUntil(totalRecord, totalRule, now) ?? now,
  );
  return until > now ? until - now : undefined;
}

async function waitFor(
  ctx: VerificationThrottleContext,
  key: string,
  record: LoginAttemptRecord | undefined,
  rule: ThrottleRule,
  now: number,
): Promise<number | undefined> {
  const until = lockedUntil(record, rule, now);
  if (until !== undefined) return until - now;
  if (!isBeyondAllowance(record, rule)) return undefined;
  const claimed = await ctx.store.replay.useOnce('device-user-code', `${key}@${now}`, now + 2);
  return claimed ? undefined : 1;
}
