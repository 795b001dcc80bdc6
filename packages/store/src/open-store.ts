import { createKyselyStore } from './kysely-store.js';
import { createPostgresKysely } from './postgres-dialect.js';
import { PreparedStatements } from './prepared-query.js';
import { createSqliteKysely } from './sqlite-dialect.js';
import type { Store, StoreOptions } from './store.js';

const DEFAULT_POOL_SIZE = 10;

/**
 * Opens a store. It does not migrate: call `store.migrate()` (at start-up, or from a deploy
 * step) first. PostgreSQL connects lazily; `ping()` checks the database is reachable.
 *
 * @example
 * ```ts
 * const store = await openStore({ kind: 'postgres', url: process.env.DATABASE_URL!, poolSize: 20 });
 * await store.migrate();
 * await store.ping();
 * ```
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const statements = new PreparedStatements();
  const clock = options.clock ?? Date.now;
  if (options.kind === 'sqlite') {
    const { db, readRows } = createSqliteKysely(options.file, statements);
    return createKyselyStore(db, { kind: 'sqlite', statements, clock, migrationSchema: undefined, readRows });
  }
  const schema = options.schema ?? 'public';
  const db = createPostgresKysely(
    { url: options.url, poolSize: options.poolSize ?? DEFAULT_POOL_SIZE, schema },
    statements,
  );
  return createKyselyStore(db, { kind: 'postgres', statements, clock, migrationSchema: schema });
}
