import { isIPv4, isIPv6 } from 'node:net';
import { type LoginAttemptRecord, normalizeUsername } from '@gatehouse/store';

/** How one kind of key (an account, an address) is throttled. */
export interface ThrottleRule {
  /** Failures allowed before every further attempt has to wait. */
  freeFailures: number;
  /** Seconds to wait after the first failure beyond the allowance; doubles with each further one. */
  baseDelay: number;
  /** The longest wait, in seconds. */
  maxDelay: number;
  /** Seconds after the last failure at which the count starts again from zero (>= maxDelay). */
  forgetAfter: number;
}

/**
 * Seconds a key must wait after its last failure, given how many it has: none within the
 * allowance, then baseDelay, 2 * baseDelay, 4 * baseDelay, ... up to maxDelay.
 *
 * @example
 * throttleDelay(6, { freeFailures: 5, baseDelay: 1, maxDelay: 900, forgetAfter: 3600 }) // 2
 */
export function throttleDelay(failures: number, rule: ThrottleRule): number {
  if (failures < rule.freeFailures) return 0;
  // Capped before exponentiating so that a huge count cannot overflow to Infinity.
  const doublings = Math.min(failures - rule.freeFailures, 32);
  return Math.min(rule.maxDelay, rule.baseDelay * 2 ** doublings);
}

/** When the key may try again, or undefined when it may now (epoch seconds). */
export function lockedUntil(
  record: LoginAttemptRecord | undefined,
  rule: ThrottleRule,
  now: number,
): number | undefined {
  if (!record) return undefined;
  const until = record.lastFailureAt + throttleDelay(record.failures, rule);
  return until > now ? until : undefined;
}

/** Whether the key has used its allowance, so that each attempt needs the lock to have run out. */
export function isBeyondAllowance(record: LoginAttemptRecord | undefined, rule: ThrottleRule): boolean {
  return record !== undefined && record.failures >= rule.freeFailures;
}

/**
 * The account's key is the username as typed (normalized), not the user id: names that belong
 * to nobody are throttled exactly like real ones, so the throttle does not tell which exist.
 */
export function accountThrottleKey(username: string): string {
  return `account:${normalizeUsername(username)}`;
}

/**
 * The address's key. One IPv6 host usually holds a whole /64 (RFC 7421), so the /64 is
 * throttled as one address; an IPv4-mapped IPv6 address counts as the IPv4 address it maps.
 */
export function addressThrottleKey(address: string): string {
  return `address:${throttledNetwork(address)}`;
}

function throttledNetwork(address: string): string {
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  const groups = ipv6Groups(address.split('%')[0]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address that node:net has already found valid. */
function ipv6Groups(address: string): number[] {
  const toGroups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((piece) => {
          if (!piece.includes('.')) return [Number.parseInt(piece, 16)];
          const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = address.split('::');
  const left = toGroups(head);
  const right = tail === undefined ? [] : toGroups(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
