import type { Kysely } from 'kysely';
import { createGroupCommit } from './group-commit.js';
import { prepareQuery } from './prepared-query.js';
import type { Database } from './schema.js';
import type { ReplayStore } from './store.js';
import type { StoreContext } from './store-context.js';

interface UseOnceArgs {
  namespace: string;
  key: string;
  expiresAt: number;
  now: number;
}

const MAX_BATCH_SIZE = 256;

export interface ReplayStoreHandle {
  replay: ReplayStore;
  /** Waits for queued calls; close() calls it before the connection goes away. */
  drain(): Promise<void>;
}

export function createReplayStore({ kind, db, statements, now }: StoreContext): ReplayStoreHandle {
  // One statement decides, so the database serialises concurrent callers on the key: the row
  // is inserted, or an expired row is taken over, or nothing happens. Only the first two
  // return a row. In PostgreSQL a second concurrent insert waits for the first to commit and
  // then sees a live row; SQLite has one writer at a time.
  const useOnceQuery = prepareQuery<UseOnceArgs, { key: string }>(statements, (arg) =>
    db
      .insertInto('replay')
      .values({ namespace: arg('namespace'), key: arg('key'), expires_at: arg('expiresAt') })
      .onConflict((oc) =>
        oc
          .columns(['namespace', 'key'])
          .doUpdateSet({ expires_at: (eb) => eb.ref('excluded.expires_at') })
          .where('replay.expires_at', '<=', arg('now')),
      )
      .returning('key'),
  );
  const useOnceWith = async (executor: Kysely<Database>, args: UseOnceArgs) =>
    (await executor.executeQuery(useOnceQuery(args))).rows.length > 0;

  // Every call writes. In SQLite each commit is a synchronous fsync on the event loop thread
  // (measured ~175 us), which would cap DPoP-bound traffic at a few thousand requests a
  // second; so calls made together run one after another in one shared transaction, each
  // statement still deciding atomically for its own caller. PostgreSQL runs calls on parallel
  // connections and already shares WAL flushes between concurrent commits, so there each call
  // is its own statement.
  const group =
    kind === 'sqlite'
      ? createGroupCommit<UseOnceArgs, boolean>({
          maxBatchSize: MAX_BATCH_SIZE,
          writeBatch: async (batch) => {
            // A lone call needs no BEGIN/COMMIT around its single statement.
            if (batch.length === 1 && batch[0]) return [await useOnceWith(db, batch[0])];
            return db.transaction().execute(async (trx) => {
              const results: boolean[] = [];
              for (const args of batch) results.push(await useOnceWith(trx, args));
              return results;
            });
          },
        })
      : undefined;

  const replay: ReplayStore = {
    useOnce(namespace, key, expiresAt) {
      // The clock is read at the call, not at the flush: expiry is judged as of the request.
      const args = { namespace, key, expiresAt, now: now() };
      return group ? group.submit(args) : useOnceWith(db, args);
    },

    async deleteExpired(before) {
      const result = await db.deleteFrom('replay').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
  return { replay, drain: async () => group?.drain() };
}
