/** Which unique field of a user an insert or update collided on. */
export type DuplicateUserField = 'id' | 'username' | 'email';

/**
 * Thrown by `UserStore.insert` and `update` when the id, username or email (compared
 * normalized) already belongs to another user. The database's unique indexes decide, so two
 * concurrent inserts of one username give exactly one of these.
 */
export class DuplicateUserError extends Error {
  readonly code = 'duplicate_user';

  constructor(readonly field: DuplicateUserField) {
    super(`a user with this ${field} already exists`);
    this.name = 'DuplicateUserError';
  }
}

/** The field a driver's unique-violation error names, or undefined for any other error. */
export function duplicateUserField(error: unknown): DuplicateUserField | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, constraint, message } = error as { code?: unknown; constraint?: unknown; message?: unknown };
  // PostgreSQL: SQLSTATE 23505 unique_violation, with the index (or key) it hit.
  if (code === '23505') return fieldOf(typeof constraint === 'string' ? constraint : '');
  // SQLite: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY, naming the columns in the message.
  if (typeof code === 'string' && /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(code)) {
    const column = /constraint failed: users\.(\w+)/.exec(typeof message === 'string' ? message : '')?.[1];
    return fieldOf(column ?? '');
  }
  return undefined;
}

function fieldOf(name: string): DuplicateUserField | undefined {
  if (name === 'users_pkey' || name === 'id') return 'id';
  if (name === 'users_username_key_idx' || name === 'username_key') return 'username';
  if (name === 'users_email_key_idx' || name === 'email_key') return 'email';
  return undefined;
}
