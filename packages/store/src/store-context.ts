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
   * per-request lookups (client, token, deny-list, session, grant). It can see rows of a
   * transaction another caller has open on the same connection. Such transactions write
   * replay rows, run migrations, rotate a refresh token (mark the old one, insert the new one)
   * or end sessions beyond the per-user limit; a lookup may see those changes a moment before
   * they commit. They roll back only on a database error (the new token's digest is taken),
   * and the new token's digest is known to no one until the rotation returns, so an early
   * read never hands out anything the commit would not have.
   */
  readRows?: (query: CompiledQuery) => unknown[];
}
