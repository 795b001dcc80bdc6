import { createSilentLogger, type Logger } from '@gatehouse/core';
import type { Store, UserRecord, UserStatus } from '@gatehouse/store';
import { endUserSessions, type SessionEndedListener } from '../sessions/session-service.js';
import { hashPassword } from './password.js';
import { type PasswordPolicy, passwordPolicyProblem } from './password-policy.js';
import { emailProblem, generateUserId, labelProblem, nameProblem, usernameProblem } from './user-fields.js';

/** A user as an admin creates one (the CLI today, the admin API later). */
export interface NewUser {
  username: string;
  password: string;
  email?: string | undefined;
  emailVerified?: boolean | undefined;
  name?: string | undefined;
  roles?: string[] | undefined;
  groups?: string[] | undefined;
}

/** A field of a NewUser that breaks the rules; `message` completes "<field> ...". */
export class AccountInputError extends Error {
  readonly code = 'invalid_account_input';

  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'AccountInputError';
  }
}

/**
 * Checks a new user against the rules, hashes the password and stores the user as an 'admin'
 * user. Throws AccountInputError for a field that breaks the rules (before any hashing) and
 * the store's DuplicateUserError when the username or email is taken.
 *
 * @example
 * ```ts
 * const user = await addUser(store, { username: 'alice', password, roles: ['admin'] }, { minLength: 12 }, now);
 * ```
 */
export async function addUser(
  store: Pick<Store, 'users'>,
  input: NewUser,
  policy: PasswordPolicy,
  now: number,
): Promise<UserRecord> {
  assertNewUser(input, policy);
  const roles = [...new Set(input.roles ?? [])];
  const groups = [...new Set(input.groups ?? [])];
  const record: UserRecord = {
    id: generateUserId(),
    username: input.username,
    email: input.email ?? null,
    emailVerified: input.emailVerified ?? false,
    name: input.name ?? null,
    roles,
    groups,
    status: 'active',
    passwordHash: await hashPassword(input.password),
    source: 'admin',
    createdAt: now,
    updatedAt: now,
  };
  await store.users.insert(record);
  return record;
}

function assertNewUser(input: NewUser, policy: PasswordPolicy): void {
  assertUserFields(input);
  check('password', passwordPolicyProblem(input.password, policy));
}

/**
 * Throws AccountInputError for the first field of a new user, password aside, that breaks
 * the rules; lets the CLI check everything before it asks for the password.
 */
export function assertUserFields(input: Omit<NewUser, 'password'>): void {
  check('username', usernameProblem(input.username));
  if (input.email !== undefined) check('email', emailProblem(input.email));
  if (input.emailVerified && input.email === undefined) check('email verified', 'needs an email');
  if (input.name !== undefined) check('name', nameProblem(input.name));
  for (const role of input.roles ?? []) check(`role '${role}'`, labelProblem(role));
  for (const group of input.groups ?? []) check(`group '${group}'`, labelProblem(group));
}

function check(field: string, problem: string | undefined): void {
  if (problem !== undefined) throw new AccountInputError(field, problem);
}

export type StatusChange =
  /** `endedSessions`: how many of the user's sessions disabling ended (0 when enabling). */
  | { outcome: 'changed'; user: UserRecord; endedSessions: number }
  | { outcome: 'unchanged'; user: UserRecord }
  /** Config users follow `disabled:` in the file; a change here would be undone at the next start. */
  | { outcome: 'from_config'; user: UserRecord }
  | { outcome: 'not_found' };

/**
 * Disables or re-enables a user by username. A disabled user keeps its record and id, and
 * cannot sign in (authenticatePassword answers as for a wrong password); disabling also ends
 * the user's sessions and revokes the tokens issued through them, except offline ones.
 */
export async function setUserStatus(
  store: Pick<Store, 'users' | 'sessions' | 'tokens'>,
  username: string,
  status: UserStatus,
  now: number,
  options: {
    logger?: Logger;
    /** Told of each session disabling ends, to send its clients Back-Channel Logout tokens. */
    onSessionEnded?: SessionEndedListener;
  } = {},
): Promise<StatusChange> {
  const user = await store.users.findByUsername(username);
  if (!user) return { outcome: 'not_found' };
  if (user.source === 'config') return { outcome: 'from_config', user };
  if (user.status === status) return { outcome: 'unchanged', user };
  if (!(await store.users.setStatus(user.id, status, now))) return { outcome: 'not_found' };
  // Ended here, not in each caller, so that every caller (CLI, admin API) gets it; enabling
  // restores nothing of that (issue 3, item 4: ending a session revokes its tokens).
  let endedSessions = 0;
  if (status === 'disabled') {
    const logger = options.logger ?? createSilentLogger();
    endedSessions = await endUserSessions(
      { store, clock: () => now * 1000, logger, onSessionEnded: options.onSessionEnded },
      user.id,
      'user_disabled',
    );
  }
  return { outcome: 'changed', user: { ...user, status, updatedAt: now }, endedSessions };
}
