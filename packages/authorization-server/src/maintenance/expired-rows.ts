import { type Clock, epochSeconds, type Logger } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';

/**
 * Deletes rows nothing can use any more: expired tokens, deny-list entries, replay-cache
 * entries, login-attempt counters (every username ever tried leaves one), ended or expired
 * sessions, authorization codes, pushed requests, device authorizations and long-revoked grants. Every node may run it; the deletes are idempotent, so no coordination is needed.
 */
export async function deleteExpiredRows(store: Store, now: number): Promise<number> {
  const counts = await Promise.all([
    store.tokens.deleteExpired(now),
    store.revokedJwts.deleteExpired(now),
    store.replay.deleteExpired(now),
    store.loginAttempts.deleteExpired(now),
    store.sessions.deleteExpired(now),
    store.authorizationCodes.deleteExpired(now),
    store.pushedRequests.deleteExpired(now),
    store.deviceAuthorizations.deleteExpired(now),
    store.grants.deleteRevoked(now),
  ]);
  return counts.reduce((a, b) => a + b, 0);
}

/** Runs deleteExpiredRows every `intervalSeconds`; returns a function that stops it. */
export function scheduleExpiredRowCleanup(
  store: Store,
  clock: Clock,
  logger: Logger,
  intervalSeconds: number,
): () => void {
  const timer = setInterval(() => {
    deleteExpiredRows(store, epochSeconds(clock)).then(
      (deleted) => {
        if (deleted > 0) logger.debug({ deleted }, 'deleted expired rows');
      },
      (error: unknown) => logger.error({ err: error }, 'deleting expired rows failed'),
    );
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
