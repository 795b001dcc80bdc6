import type { CompiledQuery, Kysely } from 'kysely';
import type { PreparedStatements } from './prepared-query.js';
import type { Database } from './schema.js';
import type { StoreKind } from './store.js';

/** What every aggregate store is built from; the same for both dialects. */
export interface StoreContext {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  readonly statements: PreparedStatements;
  /** Whole seconds since the epoch, from the injected clock. */
  now(): number;
  /**
   * Embedded SQLite only: runs a compiled read at once on the single connection. Used for the
   * per-request lookups (client, token, deny-list). It can see rows of a transaction another
   * caller has open on the same connection; the only such transactions write replay rows or
   * run migrations, never the rows these lookups read.
   */
  readRows?: (query: CompiledQuery) => unknown[];
}
