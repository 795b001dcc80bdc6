import type { Kysely } from 'kysely';
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
}
