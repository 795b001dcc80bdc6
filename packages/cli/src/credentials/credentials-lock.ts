import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ensurePrivateDir } from './atomic-file.js';

/** Longer than any request made while holding the lock (30 s), so only a crash leaves it stale. */
const STALE_AFTER_MS = 60_000;
const GIVE_UP_AFTER_MS = 90_000;
const RETRY_MS = 50;

/**
 * Runs `work` while holding `<dir>/credentials.lock`. Refresh tokens rotate: two
 * `gatehouse token` processes refreshing with the same refresh token at once would look like
 * token theft to the issuer, which then revokes the whole family (RFC 9700 §4.14.2). Holding
 * the lock across read, refresh and write makes the second process find the first one's new
 * tokens instead.
 */
export async function withCredentialsLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  ensurePrivateDir(dir);
  const lock = join(dir, 'credentials.lock');
  const started = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const age = lockAge(lock);
    if (age !== undefined && age > STALE_AFTER_MS) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() - started > GIVE_UP_AFTER_MS) {
      throw new Error(`${lock} is held by another gatehouse command; if none is running, delete that file`);
    }
    await delay(RETRY_MS);
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}

function lockAge(lock: string): number | undefined {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return undefined;
  }
}
