import { type Clock, epochSeconds, type Logger } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';

/**
 * Deletes expired login-attempt counters every `intervalSeconds`; returns a function that
 * stops it. Expired counters already read as none, so this only keeps the table small
 * (every username ever tried and every address that failed leaves a row). Any node may run
 * it: the delete is idempotent.
 */
export function scheduleLoginAttemptCleanup(
  store: Pick<Store, 'loginAttempts'>,
  clock: Clock,
  logger: Logger,
  intervalSeconds: number,
): () => void {
  const timer = setInterval(() => {
    store.loginAttempts.deleteExpired(epochSeconds(clock)).then(
      (deleted) => {
        if (deleted > 0) logger.debug({ deleted }, 'deleted expired login-attempt counters');
      },
      (error: unknown) => logger.error({ err: error }, 'deleting expired login-attempt counters failed'),
    );
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
