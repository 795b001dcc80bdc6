import type { Logger } from '@gatehouse/core';
import {
  DuplicateUserError,
  normalizeUsername,
  type Store,
  type UserChanges,
  type UserRecord,
} from '@gatehouse/store';
import { ConfigError } from '../config/config-error.js';
import type { UserConfig } from '../config/schema.js';
import { hashPassword, needsRehash, verifyPassword } from './password.js';
import { generateUserId } from './user-fields.js';

export interface ConfigUserSync {
  added: number;
  updated: number;
  /** Config users no longer in the file, now disabled. */
  disabled: number;
}

/**
 * Makes the stored config users match `users:` in gatehouse.yaml, matched by username
 * (regardless of case), so each keeps its id, the `sub` of its tokens, across restarts:
 *
 * - new entries are added, changed ones updated, unchanged ones not written;
 * - a config user no longer in the file is disabled, not deleted, so that its id is never
 *   handed to someone else and whatever refers to it keeps referring to nobody active;
 * - a user added with the CLI whose username the file now lists is taken over by the file,
 *   the declared source of truth (as for clients), keeping its id.
 *
 * A `password:` is hashed only when the stored hash no longer matches it (or used outdated
 * parameters): one verification per user instead of a new hash and a write at every start.
 */
export async function syncConfigUsers(
  store: Pick<Store, 'users'>,
  users: UserConfig[],
  logger: Logger,
  now: number,
): Promise<ConfigUserSync> {
  const existing = await store.users.list();
  const byUsername = new Map(existing.map((u) => [normalizeUsername(u.username), u]));
  // Hashing and verifying run on libuv's thread pool, so doing them together uses its threads.
  const hashes = await Promise.all(
    users.map((user) => passwordHashFor(user, byUsername.get(normalizeUsername(user.username)))),
  );

  const result: ConfigUserSync = { added: 0, updated: 0, disabled: 0 };
  const wanted = new Set(users.map((u) => normalizeUsername(u.username)));
  for (const record of existing) {
    if (record.source !== 'config' || record.status === 'disabled') continue;
    if (wanted.has(normalizeUsername(record.username))) continue;
    if (await store.users.setStatus(record.id, 'disabled', now)) {
      result.disabled++;
      logger.warn({ userId: record.id }, 'disabled a config user that is no longer in the config file');
    }
  }

  for (const [i, user] of users.entries()) {
    const fields = userFieldsFromConfig(user, hashes[i] ?? null);
    const previous = byUsername.get(normalizeUsername(user.username));
    try {
      if (!previous) {
        await store.users.insert({ id: generateUserId(), ...fields, createdAt: now, updatedAt: now });
        result.added++;
        continue;
      }
      const changes = changedFields(previous, fields);
      if (changes === undefined) continue;
      if (previous.source === 'admin') {
        logger.warn(
          { userId: previous.id },
          'the config file now defines a user added with the CLI; it wins',
        );
      }
      await store.users.update(previous.id, { ...changes, updatedAt: now });
      result.updated++;
    } catch (error) {
      if (error instanceof DuplicateUserError && error.field === 'email' && user.email !== undefined) {
        const owner = await store.users.findByEmail(user.email);
        const who = owner
          ? `user '${owner.username}'${owner.source === 'admin' ? ' (added with the CLI)' : ''}`
          : 'another user';
        throw new ConfigError(
          [{ key: `users[${i}].email`, message: `'${user.email}' is already the email of ${who}` }],
          'the config file',
        );
      }
      throw error;
    }
  }
  return result;
}

type UserFields = Omit<UserRecord, 'id' | 'createdAt' | 'updatedAt'>;

function userFieldsFromConfig(user: UserConfig, passwordHash: string | null): UserFields {
  return {
    username: user.username,
    email: user.email ?? null,
    emailVerified: user.email_verified,
    name: user.name ?? null,
    roles: user.roles,
    groups: user.groups,
    status: user.disabled ? 'disabled' : 'active',
    passwordHash,
    source: 'config',
  };
}

async function passwordHashFor(user: UserConfig, previous: UserRecord | undefined): Promise<string | null> {
  if (user.password_hash !== undefined) return user.password_hash;
  if (user.password === undefined) return null;
  const stored = previous?.passwordHash ?? null;
  if (stored !== null && !needsRehash(stored) && (await verifyPassword(stored, user.password))) return stored;
  return hashPassword(user.password);
}

/** The fields that differ, or undefined when none does. */
function changedFields(previous: UserRecord, next: UserFields): Omit<UserChanges, 'updatedAt'> | undefined {
  const changes: Record<string, unknown> = {};
  for (const field of Object.keys(next) as (keyof UserFields)[]) {
    if (JSON.stringify(previous[field]) !== JSON.stringify(next[field])) changes[field] = next[field];
  }
  return Object.keys(changes).length === 0 ? undefined : (changes as Omit<UserChanges, 'updatedAt'>);
}
