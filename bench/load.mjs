// Drives one scenario: a warm-up run, then the measured run, each an autocannon run in a child process
// on the load-generator core (see load-worker.mjs).

import { fileURLToPath } from 'node:url';
import { pinnedCores, runWorker } from './proc.mjs';

const WORKER = fileURLToPath(new URL('./load-worker.mjs', import.meta.url));

function autocannonRun(request, seconds, connections, serverPid) {
  return runWorker({
    role: 'load',
    args: [WORKER],
    input: { ...request, duration: seconds, connections, cores: pinnedCores(), serverPid },
    timeoutMs: (seconds + 30) * 1000,
  });
}

/** Why a run cannot count as a measurement, or undefined when every response was a valid 2xx. */
export function failureOf(run) {
  const problems = [];
  if (run.non2xx > 0) problems.push(`${run.non2xx} non-2xx (${JSON.stringify(run.statusCodes)})`);
  if (run.errors > 0) problems.push(`${run.errors} socket errors/timeouts`);
  if (run.invalid > 0)
    problems.push(`${run.invalid} 2xx answers with an invalid body, e.g. ${run.firstInvalid}`);
  if (run.completed === 0) problems.push('no responses');
  return problems.length ? problems.join('; ') : undefined;
}

/**
 * request: { url, method, headers, body, expect }; expect is how each body is checked (jwt | opaque | active | any).
 * serverPid: the server's process id, to tell its CPU use from other processes' (see cpu.mjs).
 * Returns the measured run's summary plus { failed, failure, warmupFailure }.
 */
export async function measure(request, { duration, warmup, connections, progress, serverPid }) {
  let warmupFailure;
  if (warmup > 0) {
    progress(`warm-up ${warmup}s`);
    const w = await autocannonRun(request, warmup, connections, serverPid);
    warmupFailure = failureOf(w);
    if (warmupFailure && w.completed > 0 && w.non2xx + w.invalid + w.errors >= w.completed) {
      // Every warm-up response was wrong: measuring would only repeat that.
      return { ...w, failed: true, failure: `warm-up: ${warmupFailure}`, warmupFailure };
    }
  }
  progress(`measuring ${duration}s`);
  const run = await autocannonRun(request, duration, connections, serverPid);
  const failure = failureOf(run);
  return { ...run, failed: failure !== undefined, failure, warmupFailure };
}
