import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMasterKey } from './master-key.js';

export interface MasterKeySource {
  key: Uint8Array;
  /** Where it came from, for the start-up log. */
  origin: 'environment' | 'file' | 'generated';
  file?: string;
}

const FILE_NAME = 'master.key';

/**
 * The master key comes from GATEHOUSE_MASTER_KEY, else from `<data_dir>/master.key`, else it is
 * generated into that file (mode 0600) for the embedded single-node default. A generated key
 * sits beside the database it protects, so the caller must warn about it.
 */
export function resolveMasterKey(dataDir: string, env: NodeJS.ProcessEnv): MasterKeySource {
  const fromEnv = env['GATEHOUSE_MASTER_KEY'];
  if (fromEnv !== undefined && fromEnv !== '') {
    try {
      return { key: decodeMasterKey(fromEnv), origin: 'environment' };
    } catch (error) {
      throw new Error(`GATEHOUSE_MASTER_KEY: ${(error as Error).message}`);
    }
  }
  const file = join(dataDir, FILE_NAME);
  let existing: string | undefined;
  try {
    existing = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing !== undefined) {
    try {
      return { key: decodeMasterKey(existing), origin: 'file', file };
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    // 'wx' so two processes starting at once cannot both create different keys.
    writeFileSync(file, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: decodeMasterKey(readFileSync(file, 'utf8')), origin: 'file', file };
  }
  return { key: new Uint8Array(key), origin: 'generated', file };
}
