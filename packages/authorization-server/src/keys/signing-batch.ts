import { type LoadedSigningKey, signCompactJws } from './signing-key.js';

interface PendingSignature {
  key: LoadedSigningKey;
  encodedHeader: string;
  payload: object;
  resolve(jws: string): void;
  reject(error: unknown): void;
}

type Signed = { ok: true; jws: string } | { ok: false; error: unknown };

/** Most signatures made in one go; the rest wait one turn, so I/O is never held up for long. */
const MAX_BATCH = 128;

/**
 * A way to sign many JWSs together: every signature asked for in one turn of the event loop is
 * made in one tight loop on setImmediate, and then every caller resumes together.
 *
 * Why: under concurrent load an ES256 signature made on its own, between parsing one request
 * and writing its response, costs about one and a half times one made back to back with
 * others, since the HTTP work in between evicts OpenSSL's code and tables from the CPU caches.
 * The responses then also go out in one burst rather than one per turn. The wait is short: the
 * batch runs right after the I/O callbacks of the turn that queued it, so a request alone
 * waits for nothing.
 */
export interface SigningBatch {
  /** Signs like {@link signCompactJws}; rejects with that call's error, which fails no other caller. */
  sign(key: LoadedSigningKey, encodedHeader: string, payload: object): Promise<string>;
}

export function createSigningBatch(): SigningBatch {
  let queue: PendingSignature[] = [];

  function flush(): void {
    const batch = queue.length > MAX_BATCH ? queue.splice(0, MAX_BATCH) : queue;
    if (batch === queue) queue = [];
    else setImmediate(flush);
    // Every signature first, then every continuation: a resumed caller writes its response
    // and so would run its HTTP work between two signatures.
    const results = batch.map(({ key, encodedHeader, payload }): Signed => {
      try {
        return { ok: true, jws: signCompactJws(key, encodedHeader, payload) };
      } catch (error) {
        return { ok: false, error };
      }
    });
    for (const [i, pending] of batch.entries()) {
      const result = results[i]!;
      if (result.ok) pending.resolve(result.jws);
      else pending.reject(result.error);
    }
  }

  return {
    sign(key, encodedHeader, payload) {
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ key, encodedHeader, payload, resolve, reject });
      });
    },
  };
}

/** The process's batch: batching is only a matter of scheduling, so issuers can share it. */
export const signingBatch: SigningBatch = createSigningBatch();
