import { epochSeconds } from '@gatehouse/core';
import { readSessionById, type SessionDeps } from '../sessions/session-service.js';

/** Sessions ended per batch; the sweep goes on until none is left. */
const BATCH = 100;

/**
 * Ends every session that has reached its idle or absolute timeout but has not been ended
 * yet. A timed-out session is otherwise ended only when something reads it again (the
 * browser comes back, a refresh token is used), which may be never: then its clients would
 * never hear of it (Back-Channel Logout) and its tokens would stay unrevoked. Ending goes
 * through `readSessionById`, so the reason, the revocation and the notification are exactly
 * those of a lazily noticed timeout, and of several nodes sweeping at once only one ends
 * (and announces) each session. Returns how many it found.
 */
export async function endTimedOutSessions(deps: SessionDeps): Promise<number> {
  const seen = new Set<string>();
  for (;;) {
    const ids = await deps.store.sessions.listTimedOut(epochSeconds(deps.clock), BATCH);
    const fresh = ids.filter((id) => !seen.has(id));
    for (const id of fresh) {
      seen.add(id);
      await readSessionById(deps, id);
    }
    // A full batch of sessions seen before means ending them did not stick: stop, not spin.
    if (ids.length < BATCH || fresh.length === 0) return seen.size;
  }
}

/** Runs endTimedOutSessions every `intervalSeconds`; returns a function that stops it. */
export function scheduleTimedOutSessionSweep(deps: SessionDeps, intervalSeconds: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    // A slow database must not stack sweeps on top of each other.
    if (running) return;
    running = true;
    endTimedOutSessions(deps)
      .then(
        (ended) => {
          if (ended > 0) deps.logger.debug({ ended }, 'ended timed-out sessions');
        },
        (error: unknown) => deps.logger.error({ err: error }, 'ending timed-out sessions failed'),
      )
      .finally(() => {
        running = false;
      });
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
