import type { Store } from '../store.js';

/** Options of {@link StoreBackend.open}. */
export interface OpenTestStoreOptions {
  /** Milliseconds since the epoch, e.g. core's `createManualClock()`; defaults to `Date.now`. */
  clock?: () => number;
  /** Apply the migrations before returning (default true); false to test migrations themselves. */
  migrate?: boolean;
}

/** Migrates (unless asked not to) and makes close() also remove what the backend created. */
export async function prepareTestStore(
  store: Store,
  options: OpenTestStoreOptions,
  cleanUp: () => Promise<void>,
): Promise<Store> {
  try {
    if (options.migrate ?? true) await store.migrate();
  } catch (error) {
    await store.close();
    await cleanUp();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = async () => {
    try {
      await store.close();
    } finally {
      await cleanUp();
    }
  };
  return {
    kind: store.kind,
    clients: store.clients,
    tokens: store.tokens,
    revokedJwts: store.revokedJwts,
    replay: store.replay,
    signingKeys: store.signingKeys,
    users: store.users,
    loginAttempts: store.loginAttempts,
    sessions: store.sessions,
    grants: store.grants,
    authorizationCodes: store.authorizationCodes,
    pushedRequests: store.pushedRequests,
    deviceAuthorizations: store.deviceAuthorizations,
    migrate: () => store.migrate(),
    pendingMigrations: () => store.pendingMigrations(),
    ping: () => store.ping(),
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
