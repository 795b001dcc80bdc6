/**
 * Test support for every package that needs a store: the same tests run against each
 * database Gatehouse supports.
 *
 * @example
 * ```ts
 * import { afterEach, beforeEach, describe, it } from 'node:test';
 * import type { Store } from '@gatehouse/store';
 * import { storeBackends } from '@gatehouse/store/testing';
 *
 * for (const backend of storeBackends()) {
 *   describe(backend.name, { skip: backend.skipReason }, () => {
 *     let store: Store;
 *     beforeEach(async () => {
 *       store = await backend.open(); // migrated, empty, private to this test
 *     });
 *     afterEach(() => store.close()); // also deletes the file / drops the schema
 *
 *     it('finds a stored client', async () => { ... });
 *   });
 * }
 * ```
 */
import type { Store, StoreKind } from '../store.js';
import { openPostgresTestStore, probePostgres, TEST_DATABASE_URL } from './postgres-backend.js';
import { openSqliteTestStore } from './sqlite-backend.js';
import type { OpenTestStoreOptions } from './test-store.js';

export type { OpenTestStoreOptions } from './test-store.js';

export interface StoreBackend {
  readonly name: StoreKind;
  /**
   * Set when this backend cannot run on this machine; pass it as `skip` to `describe` or `it`
   * so the report says why. Never set in CI (`CI=true`): there a missing database is a
   * failure, and open() throws.
   */
  readonly skipReason?: string;
  /**
   * Opens a fresh, isolated store: SQLite on a new temp file, PostgreSQL in a new uniquely
   * named schema of `GATEHOUSE_TEST_DATABASE_URL` (default
   * `postgres://postgres@127.0.0.1:5432/test`). Migrated unless `migrate: false`. Its close()
   * removes the file or drops the schema.
   */
  open(options?: OpenTestStoreOptions): Promise<Store>;
}

// Probed once when this module loads (top-level await) because test files decide what to skip
// while they are being defined, before any test runs.
const postgresSkipReason = process.env['CI'] === 'true' ? undefined : await probePostgres(TEST_DATABASE_URL);

/** Every supported database, SQLite first. */
export function storeBackends(): StoreBackend[] {
  return [
    { name: 'sqlite', open: openSqliteTestStore },
    {
      name: 'postgres',
      ...(postgresSkipReason === undefined ? {} : { skipReason: postgresSkipReason }),
      open: async (options) => {
        if (postgresSkipReason !== undefined) throw new Error(postgresSkipReason);
        return openPostgresTestStore(options);
      },
    },
  ];
}
