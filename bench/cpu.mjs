// Per-core busy time from /proc/stat, to tell whether the server core, the load-generator core or neither
// was saturated during a run.

import { readFileSync } from 'node:fs';

/** Per-core [busy, total] jiffies from /proc/stat (Linux only; undefined elsewhere). */
export function coreTimes() {
  try {
    const times = {};
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+) (.*)$/.exec(line);
      if (!m) continue;
      const f = m[2].trim().split(/\s+/).map(Number);
      const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // user … steal; guest time is already in user
      times[m[1]] = [total - f[3] - f[4], total]; // minus idle and iowait
    }
    return times;
  } catch {
    return undefined;
  }
}

/**
 * How busy the pinned cores were during the run (0–1), softirq included: loopback TCP work is done there and
 * is charged to no process. A server core well below 1 means the server was not what limited the run.
 */
export function coreBusy(before, after, cores) {
  if (!before || !after || !cores) return undefined;
  const busy = (core) => {
    const [b0, t0] = before[core];
    const [b1, t1] = after[core];
    return t1 > t0 ? (b1 - b0) / (t1 - t0) : undefined;
  };
  return { server: busy(cores.server), load: busy(cores.load) };
}

/** Share of all cores busy over the next `ms` milliseconds (undefined off Linux): is the machine idle? */
export async function machineBusy(ms = 1000) {
  const before = coreTimes();
  await new Promise((r) => setTimeout(r, ms));
  const after = coreTimes();
  if (!before || !after) return undefined;
  let busy = 0;
  let total = 0;
  for (const core of Object.keys(after)) {
    busy += after[core][0] - before[core][0];
    total += after[core][1] - before[core][1];
  }
  return total > 0 ? busy / total : undefined;
}
