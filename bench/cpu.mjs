// Per-core busy time from /proc/stat, to tell whether the server core, the load-generator core or neither
// was saturated during a run, and whether other processes on the machine got in the way.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Per-core jiffies from /proc/stat: { busy, softirq, total } (Linux only; undefined elsewhere). */
export function coreTimes() {
  try {
    const times = {};
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+) (.*)$/.exec(line);
      if (!m) continue;
      const f = m[2].trim().split(/\s+/).map(Number);
      const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // user … steal; guest time is already in user
      times[m[1]] = { busy: total - f[3] - f[4], softirq: f[6], total }; // busy: all but idle and iowait
    }
    return times;
  } catch {
    return undefined;
  }
}

let clockTicks;
/** CPU seconds (user + system, all threads) a process has used so far; undefined if unreadable. */
export function processSeconds(pid) {
  try {
    clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/**
 * How the pinned cores were used during a run, as shares of the run's wall time (0–1):
 * - busy: everything but idle and I/O wait, softirq included (loopback TCP work is done there and is charged
 *   to no process). A server core well below 1 means the server was not what limited the run.
 * - others: busy time neither the pinned process (server or load generator) nor softirq accounts for, i.e.
 *   other processes on the machine; above a few percent the run was disturbed.
 * ownSeconds: { server, load }, CPU seconds the server and the load generator used during the run.
 */
export function coreUsage(before, after, cores, ownSeconds, seconds) {
  if (!before || !after || !cores) return undefined;
  const usage = (role) => {
    const b = before[cores[role]];
    const a = after[cores[role]];
    const total = a.total - b.total;
    if (!(total > 0)) return undefined;
    const busy = (a.busy - b.busy) / total;
    const softirq = (a.softirq - b.softirq) / total;
    const own = ownSeconds[role];
    const others = own === undefined ? undefined : Math.max(0, busy - softirq - own / seconds);
    return { busy, softirq, others };
  };
  return { server: usage('server'), load: usage('load') };
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
    busy += after[core].busy - before[core].busy;
    total += after[core].total - before[core].total;
  }
  return total > 0 ? busy / total : undefined;
}
