import { sql } from 'kysely';
import type { LoginAttemptsTable } from './schema.js';
import type { LoginAttemptRecord, LoginAttemptStore } from './store.js';
import type { StoreContext } from './store-context.js';

const COLUMNS = ['key', 'failures', 'first_failure_at', 'last_failure_at', 'expires_at'] as const;

export function createLoginAttemptStore({ db }: StoreContext): LoginAttemptStore {
  return {
    async find(key, now) {
      const row = await db
        .selectFrom('login_attempts')
        .select(COLUMNS)
        .where('key', '=', key)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async recordFailure(key, now, expiresAt) {
      // One statement, so the database serialises concurrent failures on the key and counts
      // each: PostgreSQL locks the conflicting row and the second upsert sees the first's
      // count; SQLite has one writer at a time. A SET expression reads the row as it was
      // before this update in both, so `live` judges the old expiry.
      const live = sql<boolean>`${sql.ref('login_attempts.expires_at')} > ${now}`;
      const row = await db
        .insertInto('login_attempts')
        .values({ key, failures: 1, first_failure_at: now, last_failure_at: now, expires_at: expiresAt })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when ${live} then ${sql.ref('login_attempts.failures')} + 1 else 1 end`,
            first_failure_at: sql<number>`case when ${live} then ${sql.ref('login_attempts.first_failure_at')} else ${now} end`,
            last_failure_at: now,
            expires_at: expiresAt,
          }),
        )
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async clear(key) {
      await db.deleteFrom('login_attempts').where('key', '=', key).execute();
    },

    async deleteExpired(before) {
      const result = await db
        .deleteFrom('login_attempts')
        .where('expires_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRecord(row: LoginAttemptsTable): LoginAttemptRecord {
  return {
    key: row.key,
    failures: Number(row.failures),
    firstFailureAt: Number(row.first_failure_at),
    lastFailureAt: Number(row.last_failure_at),
    expiresAt: Number(row.expires_at),
  };
}
