import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Test seam: runs between writing the temporary file and renaming it over the target. */
export interface AtomicWriteHooks {
  beforeRename?(temporaryFile: string): void;
}

/**
 * Creates `dir` (and parents) readable by the owner only. A directory that already exists
 * with group or world access is tightened: the files in it are bearer credentials.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32' && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * Writes `text` to `path` so that a reader sees either the old content or the new, never a
 * mix, and a crash leaves the old file in place: the text goes to a new temporary file in the
 * same directory (created exclusively, mode 0600 from the start, so it is never readable by
 * others even for a moment), is flushed to disk, then renamed over `path`, which POSIX makes
 * atomic within one file system.
 */
export function writeFileAtomic(path: string, text: string, hooks: AtomicWriteHooks = {}): void {
  ensurePrivateDir(dirname(path));
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    hooks.beforeRename?.(temporary);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
