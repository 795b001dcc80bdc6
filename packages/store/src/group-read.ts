export interface GroupReadOptions<K, V> {
  /**
   * Reads every key at once: resolves with one entry per key found (keys may repeat; a key
   * without a row has no entry), or rejects, failing every read of the batch.
   */
  readBatch(keys: K[]): Promise<Map<K, V>>;
  /** Most keys per read; later ones wait for the next. */
  maxBatchSize: number;
}

export interface GroupRead<K, V> {
  /** The key's row, or undefined when there is none. */
  read(key: K): Promise<V | undefined>;
}

interface Waiter<K, V> {
  key: K;
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

/**
 * Group read: lookups asked for in one turn of the event loop are answered by one read on
 * setImmediate. For PostgreSQL that is one round trip instead of one per request. For the
 * embedded SQLite the reads stay point reads, made back to back, and every caller resumes
 * together, so their responses leave in one burst instead of one per turn. Each read still
 * sees everything committed before it ran: a lookup never returns older data than it would
 * have alone.
 */
export function createGroupRead<K, V>(options: GroupReadOptions<K, V>): GroupRead<K, V> {
  let queue: Waiter<K, V>[] = [];

  async function flush(): Promise<void> {
    const batch = queue.length > options.maxBatchSize ? queue.splice(0, options.maxBatchSize) : queue;
    if (batch === queue) queue = [];
    else setImmediate(flush);
    try {
      const found = await options.readBatch(batch.map((w) => w.key));
      for (const w of batch) w.resolve(found.get(w.key));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  return {
    read(key) {
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ key, resolve, reject });
      });
    },
  };
}
