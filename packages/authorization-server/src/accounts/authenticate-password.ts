import { type Clock, epochSeconds, type Logger } from '@gatehouse/core';
import type { LoginAttemptRecord, Store, UserRecord } from '@gatehouse/store';
import type { AccountsConfig } from '../config/schema.js';
import {
  accountThrottleKey,
  addressThrottleKey,
  isBeyondAllowance,
  lockedUntil,
  type ThrottleRule,
} from './login-throttle.js';
import { hashPassword, needsRehash, verifyPassword } from './password.js';
import { MAX_PASSWORD_LENGTH } from './password-policy.js';

/** What password sign-in needs; an IssuerContext is one. */
export interface AccountContext {
  store: Pick<Store, 'users' | 'loginAttempts' | 'replay'>;
  clock: Clock;
  logger: Logger;
  config: { accounts: AccountsConfig };
}

/** One sign-in attempt as a login form delivers it. */
export interface PasswordAttempt {
  username: string;
  password: string;
  /** The client's IP address, as the HTTP layer determined it. */
  address: string;
}

/**
 * Why an attempt failed, for logs and audit only. Never show it to the person: it tells an
 * unknown user from a disabled one from a wrong password.
 */
export type LoginFailureDetail =
  | 'malformed'
  | 'unknown_user'
  | 'no_password'
  | 'disabled'
  | 'wrong_password'
  | 'account_throttled'
  | 'address_throttled';

export type PasswordAuthentication =
  | { ok: true; user: UserRecord }
  | {
      ok: false;
      /**
       * What the person may be told. `invalid_credentials` is the same for an unknown user, a
       * disabled one and a wrong password; `throttled` means not even checked. Neither says
       * whether the account exists: the throttle counts names that belong to nobody too.
       */
      code: 'invalid_credentials' | 'throttled';
      /** Seconds until the next attempt can be checked; null when it can be at once. */
      retryAfter: number | null;
      /** For logs only (see LoginFailureDetail). */
      detail: LoginFailureDetail;
    };

const MAX_USERNAME_LENGTH = 256;

/**
 * Checks a username and password, with brute-force protection per account and per address:
 * each may fail a few times, then has to wait before each further attempt, the wait doubling
 * with every failure. The steps:
 *
 * 1. refuse malformed input without counting it (nothing was guessed);
 * 2. refuse, unchecked, while the account or the address has to wait;
 * 3. verify the password, against a dummy hash when there is no user or no hash, so that
 *    every checked attempt costs one argon2id verification;
 * 4. on failure count it for both; on success forget the account's failures and upgrade the
 *    hash if its parameters are outdated.
 *
 * @example
 * ```ts
 * const result = await authenticatePassword(ctx, { username, password, address: request.ip });
 * if (!result.ok) return renderLogin({ error: result.code, retryAfter: result.retryAfter });
 * ```
 */
export async function authenticatePassword(
  ctx: AccountContext,
  attempt: PasswordAttempt,
): Promise<PasswordAuthentication> {
  const now = epochSeconds(ctx.clock);
  const rules = throttleRules(ctx.config.accounts);
  const username = attempt.username.trim();
  if (!isWellFormed(username, attempt.password)) return failure(ctx, attempt, 'malformed', null);

  const keys = { account: accountThrottleKey(username), address: addressThrottleKey(attempt.address) };
  const [accountRecord, addressRecord] = await Promise.all([
    ctx.store.loginAttempts.find(keys.account, now),
    ctx.store.loginAttempts.find(keys.address, now),
  ]);
  const accountWait = await waitFor(ctx, keys.account, accountRecord, rules.account, now);
  if (accountWait !== undefined) return failure(ctx, attempt, 'account_throttled', accountWait);
  const addressWait = await waitFor(ctx, keys.address, addressRecord, rules.address, now);
  if (addressWait !== undefined) return failure(ctx, attempt, 'address_throttled', addressWait);

  const found = await ctx.store.users.findByUsername(username);
  const checked = checkCredentials(
    found,
    await verifyPassword(found?.passwordHash ?? null, attempt.password),
  );
  if (!checked.ok) {
    const [account, address] = await Promise.all([
      ctx.store.loginAttempts.recordFailure(keys.account, now, now + rules.account.forgetAfter),
      ctx.store.loginAttempts.recordFailure(keys.address, now, now + rules.address.forgetAfter),
    ]);
    const until = Math.max(
      lockedUntil(account, rules.account, now) ?? now,
      lockedUntil(address, rules.address, now) ?? now,
    );
    return failure(ctx, attempt, checked.detail, until > now ? until - now : null, found);
  }

  // Only the account's count: clearing the address's on any success would let someone with
  // one working account reset the address throttle between guesses at other accounts.
  await ctx.store.loginAttempts.clear(keys.account);
  return { ok: true, user: await upgradeHash(ctx, checked.user, attempt.password, now) };
}

/** The user, if the password matched an active user that has one; else why not. */
function checkCredentials(
  user: UserRecord | undefined,
  matches: boolean,
): { ok: true; user: UserRecord } | { ok: false; detail: LoginFailureDetail } {
  if (!user) return { ok: false, detail: 'unknown_user' };
  if (user.passwordHash === null) return { ok: false, detail: 'no_password' };
  if (!matches) return { ok: false, detail: 'wrong_password' };
  if (user.status !== 'active') return { ok: false, detail: 'disabled' };
  return { ok: true, user };
}

/** The two throttle rules from `accounts.login_throttle`. */
export function throttleRules(accounts: AccountsConfig): { account: ThrottleRule; address: ThrottleRule } {
  const { account_failures, address_failures, base_delay, max_delay, forget_after } = accounts.login_throttle;
  const shared = { baseDelay: base_delay, maxDelay: max_delay, forgetAfter: forget_after };
  return {
    account: { freeFailures: account_failures, ...shared },
    address: { freeFailures: address_failures, ...shared },
  };
}

function isWellFormed(username: string, password: string): boolean {
  return (
    username !== '' &&
    username.length <= MAX_USERNAME_LENGTH &&
    password !== '' &&
    [...password].length <= MAX_PASSWORD_LENGTH
  );
}

/**
 * Seconds the key must still wait, or undefined when this attempt may be checked. Beyond its
 * allowance a key gets one attempt per second at most, claimed atomically in the replay
 * store: otherwise many requests sent at the instant a wait runs out would all read the same
 * count before any failure was recorded, and all be checked. Within the allowance a burst
 * can still overshoot by its size, once per forget_after period.
 */
async function waitFor(
  ctx: AccountContext,
  key: string,
  record: LoginAttemptRecord | undefined,
  rule: ThrottleRule,
  now: number,
): Promise<number | undefined> {
  const until = lockedUntil(record, rule, now);
  if (until !== undefined) return until - now;
  if (!isBeyondAllowance(record, rule)) return undefined;
  const claimed = await ctx.store.replay.useOnce('login-attempt', `${key}@${now}`, now + 2);
  return claimed ? undefined : 1;
}

/**
 * Re-hashes with the current parameters when the stored hash used others. Compare-and-set,
 * so a password an admin changed meanwhile wins; a failure here never fails the sign-in.
 */
async function upgradeHash(
  ctx: AccountContext,
  user: UserRecord,
  password: string,
  now: number,
): Promise<UserRecord> {
  const stored = user.passwordHash;
  if (stored === null || !needsRehash(stored)) return user;
  try {
    const next = await hashPassword(password);
    if (await ctx.store.users.replacePasswordHash(user.id, stored, next, now)) {
      ctx.logger.info({ userId: user.id }, 'upgraded the password hash to the current parameters');
      return { ...user, passwordHash: next, updatedAt: now };
    }
  } catch (error) {
    ctx.logger.error({ err: error, userId: user.id }, 'upgrading the password hash failed');
  }
  return user;
}

function failure(
  ctx: AccountContext,
  attempt: PasswordAttempt,
  detail: LoginFailureDetail,
  retryAfter: number | null,
  user?: UserRecord,
): PasswordAuthentication {
  // The typed username is logged only when it names a user: people type passwords into the
  // username field, and a log is no place for them.
  ctx.logger.warn(
    { event: 'login_failed', detail, address: attempt.address, ...(user ? { userId: user.id } : {}) },
    'password sign-in failed',
  );
  const code =
    detail === 'account_throttled' || detail === 'address_throttled' ? 'throttled' : 'invalid_credentials';
  return { ok: false, code, retryAfter, detail };
}
