import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../open-store.js';
import type { Store } from '../store.js';
import type { OpenTestStoreOptions } from './test-store.js';
import { prepareTestStore } from './test-store.js';

/** A store on a fresh file in its own temp directory; close() removes the directory. */
export async function openSqliteTestStore(options: OpenTestStoreOptions = {}): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-store-'));
  try {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'gatehouse.db'), clock: options.clock });
    // The -wal and -shm files live beside the database, so remove the whole directory.
    return await prepareTestStore(store, options, () => rm(dir, { recursive: true, force: true }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
