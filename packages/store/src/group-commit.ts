export interface GroupCommitOptions<T, R> {
  /**
   * Makes every item durable in one atomic write: resolves with one result per item (in
   * order) once all are committed, or rejects with none of them written.
   */
  writeBatch(items: T[]): Promise<R[]>;
  /** Most items per write; later ones wait for the next batch. */
  maxBatchSize: number;
}

export interface GroupCommit<T, R> {
  /** Resolves with the item's result once it is durable; rejects with its own write's error. */
  submit(item: T): Promise<R>;
  /** Resolves when everything submitted so far has settled. */
  drain(): Promise<void>;
}

interface Waiter<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: callers each wait for their own item to be durable, but items submitted
 * together share one commit (one fsync), which is what lets an embedded SQLite take thousands
 * of writes a second with synchronous=FULL.
 *
 * - The first item schedules a flush on setImmediate, so everything submitted in the same turn
 *   of the event loop joins it.
 * - One write is in flight at a time; what arrives meanwhile forms the next batch, so batches
 *   grow with load instead of commits multiplying.
 * - A failed batch is retried item by item, in submission order, so one bad item (a
 *   duplicate key) fails only its own caller.
 */
export function createGroupCommit<T, R = void>(options: GroupCommitOptions<T, R>): GroupCommit<T, R> {
  const queue: Waiter<T, R>[] = [];
  let running: Promise<void> | undefined;

  async function flushAll(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) await flush(queue.splice(0, options.maxBatchSize));
    // Cleared in the same synchronous step as the empty check above, so a submit() can never
    // find a loop that is about to exit and leave its item stranded.
    running = undefined;
  }

  // async, so that even a synchronous throw becomes a rejection and flush() never throws.
  const write = async (items: T[]) => options.writeBatch(items);

  async function flush(batch: Waiter<T, R>[]): Promise<void> {
    try {
      const results = await write(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) w.resolve(results[i] as R);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // In submission order, one at a time: when two items collide (same key), the earlier
      // caller wins, as it would have without batching.
      for (const w of batch) {
        await write([w.item]).then(([result]) => w.resolve(result as R), w.reject);
      }
    }
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        running ??= flushAll();
      });
    },
    async drain() {
      while (running) await running;
    },
  };
}
