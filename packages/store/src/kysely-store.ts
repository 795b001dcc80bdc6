import type { CompiledQuery, Kysely } from 'kysely';
import { sql } from 'kysely';
import { createAuthorizationCodeStore } from './authorization-code-store.js';
import { createClientStore } from './client-store.js';
import { createDeviceAuthorizationStore } from './device-authorization-store.js';
import { createGrantStore } from './grant-store.js';
import { createLoginAttemptStore } from './login-attempt-store.js';
import { createMigrator } from './migrations/index.js';
import type { PreparedStatements } from './prepared-query.js';
import { createPushedRequestStore } from './pushed-request-store.js';
import { createReplayStore } from './replay-store.js';
import { createRevokedJwtStore } from './revoked-jwt-store.js';
import type { Database } from './schema.js';
import { createSessionStore } from './session-store.js';
import { createSigningKeyStore } from './signing-key-store.js';
import type { Store, StoreKind } from './store.js';
import type { StoreContext } from './store-context.js';
import { createTokenStore } from './token-store.js';
import { createUserStore } from './user-store.js';

export interface KyselyStoreOptions {
  kind: StoreKind;
  statements: PreparedStatements;
  clock: () => number;
  /** PostgreSQL schema of the migration bookkeeping; undefined for SQLite. */
  migrationSchema: string | undefined;
  /** SQLite only: synchronous reads for the hot lookups (see StoreContext.readRows). */
  readRows?: (query: CompiledQuery) => unknown[];
}

/** The one Store implementation, for any dialect Kysely was built with. */
export function createKyselyStore(db: Kysely<Database>, options: KyselyStoreOptions): Store {
  const context: StoreContext = {
    kind: options.kind,
    db,
    statements: options.statements,
    now: () => Math.floor(options.clock() / 1000),
    ...(options.readRows ? { readRows: options.readRows } : {}),
  };
  const migrator = createMigrator(db, options.migrationSchema);
  const tokenHandle = createTokenStore(context);
  const replayHandle = createReplayStore(context);
  let closing: Promise<void> | undefined;

  return {
    kind: options.kind,
    clients: createClientStore(context),
    tokens: tokenHandle.tokens,
    revokedJwts: createRevokedJwtStore(context),
    replay: replayHandle.replay,
    signingKeys: createSigningKeyStore(context),
    users: createUserStore(context),
    loginAttempts: createLoginAttemptStore(context),
    sessions: createSessionStore(context),
    grants: createGrantStore(context),
    authorizationCodes: createAuthorizationCodeStore(context),
    pushedRequests: createPushedRequestStore(context),
    deviceAuthorizations: createDeviceAuthorizationStore(context),

    async migrate() {
      const { error, results = [] } = await migrator.migrateToLatest();
      if (error) throw error;
      return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },

    async pendingMigrations() {
      const all = await migrator.getMigrations();
      return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
    },

    async ping() {
      await sql`select 1`.execute(db);
    },

    close() {
      // Queued writes were promised durability: let them commit before the connection goes.
      // Idempotent, so shutdown hooks may race.
      closing ??= Promise.all([tokenHandle.drain(), replayHandle.drain()]).then(() => db.destroy());
      return closing;
    },
  };
}
