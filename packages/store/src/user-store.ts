import { DuplicateUserError, duplicateUserField } from './duplicate-user-error.js';
import type { UsersTable } from './schema.js';
import type { UserChanges, UserRecord, UserStore } from './store.js';
import type { StoreContext } from './store-context.js';
import { normalizeEmail, normalizeUsername } from './user-keys.js';

const COLUMNS = [
  'id',
  'username',
  'username_key',
  'email',
  'email_key',
  'email_verified',
  'name',
  'roles',
  'groups',
  'status',
  'password_hash',
  'source',
  'created_at',
  'updated_at',
] as const;

export function createUserStore({ db }: StoreContext): UserStore {
  const findBy = async (column: 'id' | 'username_key' | 'email_key', value: string) => {
    const row = await db.selectFrom('users').select(COLUMNS).where(column, '=', value).executeTakeFirst();
    return row && toRecord(row);
  };

  return {
    findById: (id) => findBy('id', id),
    findByUsername: (username) => findBy('username_key', normalizeUsername(username)),
    findByEmail: (email) => findBy('email_key', normalizeEmail(email)),

    async list() {
      const rows = await db.selectFrom('users').select(COLUMNS).orderBy('username_key').execute();
      return rows.map(toRecord);
    },

    async insert(record) {
      await rethrowDuplicate(db.insertInto('users').values(toRow(record)).execute());
    },

    async update(id, changes) {
      const row = await rethrowDuplicate(
        db
          .updateTable('users')
          .set(toChangedColumns(changes))
          .where('id', '=', id)
          .returning(COLUMNS)
          .execute(),
      );
      return row[0] && toRecord(row[0]);
    },

    async setStatus(id, status, at) {
      const result = await db
        .updateTable('users')
        .set({ status, updated_at: at })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async replacePasswordHash(id, expected, next, at) {
      const result = await db
        .updateTable('users')
        .set({ password_hash: next, updated_at: at })
        .where('id', '=', id)
        .where('password_hash', '=', expected)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

async function rethrowDuplicate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const field = duplicateUserField(error);
    throw field ? new DuplicateUserError(field) : error;
  }
}

function toRow(record: UserRecord): UsersTable {
  return {
    id: record.id,
    username: record.username,
    username_key: normalizeUsername(record.username),
    email: record.email,
    email_key: record.email === null ? null : normalizeEmail(record.email),
    email_verified: record.emailVerified ? 1 : 0,
    name: record.name,
    roles: JSON.stringify(record.roles),
    groups: JSON.stringify(record.groups),
    status: record.status,
    password_hash: record.passwordHash,
    source: record.source,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

/** The columns a change touches, each key column recomputed with the value it derives from. */
function toChangedColumns(changes: UserChanges): Partial<UsersTable> {
  const set: Partial<UsersTable> = { updated_at: changes.updatedAt };
  if (changes.username !== undefined) {
    set.username = changes.username;
    set.username_key = normalizeUsername(changes.username);
  }
  if (changes.email !== undefined) {
    set.email = changes.email;
    set.email_key = changes.email === null ? null : normalizeEmail(changes.email);
  }
  if (changes.emailVerified !== undefined) set.email_verified = changes.emailVerified ? 1 : 0;
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.roles !== undefined) set.roles = JSON.stringify(changes.roles);
  if (changes.groups !== undefined) set.groups = JSON.stringify(changes.groups);
  if (changes.status !== undefined) set.status = changes.status;
  if (changes.passwordHash !== undefined) set.password_hash = changes.passwordHash;
  if (changes.source !== undefined) set.source = changes.source;
  return set;
}

function toRecord(row: UsersTable): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: Number(row.email_verified) === 1,
    name: row.name,
    roles: JSON.parse(row.roles) as string[],
    groups: JSON.parse(row.groups) as string[],
    status: row.status,
    passwordHash: row.password_hash,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
