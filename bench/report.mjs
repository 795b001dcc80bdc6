// Turns the collected results into the printed tables and the JSON file under bench/results/.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const ms = (n) =>
  Number.isFinite(n) ? (Number.isInteger(n) || n >= 10 ? String(Math.round(n)) : n.toFixed(1)) : '–';
const times = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : '–');
const pct = (n) => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : '–');

/** Left-aligns text columns and right-aligns numeric ones; `right` lists the right-aligned column indexes. */
function table(header, rows, right = []) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  const fmt = (r) =>
    `  ${r
      .map((cell, i) => {
        const s = String(cell ?? '');
        return right.includes(i) ? s.padStart(widths[i]) : s.padEnd(widths[i]);
      })
      .join('   ')
      .trimEnd()}`;
  return [fmt(header), `  ${widths.map((w) => '─'.repeat(w)).join('   ')}`, ...rows.map(fmt)].join('\n');
}

/** req/s of a run, or undefined when the run is missing or failed (a failed run is never "fast"). */
export function rate(run) {
  return run && !run.failed && !run.skipped ? run.requestsPerSec : undefined;
}

/** Other processes took a noticeable share of the server's or the load generator's core during the run. */
export const DISTURBED = 0.1;
function disturbed(run) {
  return (run?.cores?.server?.others ?? 0) > DISTURBED || (run?.cores?.load?.others ?? 0) > DISTURBED;
}

function runRow(scenario, server, run) {
  if (!run || run.skipped) return [scenario, server, 'skipped'];
  if (run.failed && run.requestsPerSec === undefined) return [scenario, server, 'FAILED'];
  return [
    scenario,
    server,
    run.failed ? `FAILED (${int(run.requestsPerSec)})` : int(run.requestsPerSec),
    ms(run.latency?.p50),
    ms(run.latency?.p99),
    int(run.non2xx),
    int(run.errors),
    int(run.invalid),
    run.cores
      ? `${pct(run.cores.server?.busy)} / ${pct(run.cores.load?.busy)}${disturbed(run) ? ' *' : ''}`
      : '–',
  ];
}

export function renderReport(results) {
  const { settings, machine, versions, ceiling, scenarios, shares } = results;
  const out = [];
  const failures = [];
  const noise = [];
  const noteFailure = (what, run) => {
    if (run?.failed) failures.push(`  ${what}: ${run.failure}`);
    if (disturbed(run)) {
      const { server, load } = run.cores;
      noise.push(
        `  ${what}: other processes took ${pct(server?.others)} of the server core, ${pct(load?.others)} of the load core`,
      );
    }
  };

  out.push('');
  out.push(
    `Gatehouse benchmark · ${results.startedAt} · Node ${machine.node} · ${machine.cpu} ×${machine.cores} · ` +
      (machine.pinning.pinned ? 'server on cpu 0, load generator on cpu 1' : 'NOT pinned'),
  );
  if (machine.busyAtStart > 0.1) {
    out.push(`Machine not idle at start (cores ${pct(machine.busyAtStart)} busy): expect noise.`);
  }
  out.push(
    `autocannon ${versions.autocannon}: ${settings.connections} connections, pipelining 1, ` +
      `${settings.duration}s per run after ${settings.warmup}s warm-up · peer: oidc-provider ${versions.oidcProvider}`,
  );
  out.push(
    settings.store === 'postgres'
      ? 'Gatehouse store: PostgreSQL (a fresh database; the PostgreSQL server is not pinned and may use either core)'
      : 'Gatehouse store: SQLite (durable: synchronous=FULL, WAL)',
  );

  out.push('', 'Throughput and latency (every response checked: 2xx and a valid body)');
  const rows = [];
  for (const s of scenarios) {
    rows.push(runRow(s.title, 'Gatehouse', s.gatehouse));
    rows.push(runRow('', 'oidc-provider', s.peer));
    noteFailure(`${s.title} · Gatehouse`, s.gatehouse);
    noteFailure(`${s.title} · oidc-provider`, s.peer);
  }
  if (ceiling.json || ceiling.sign) {
    rows.push(runRow('bare JSON endpoint', 'Fastify (ceiling)', ceiling.json));
    rows.push(runRow('1 ES256 sign per request', 'Fastify (ceiling)', ceiling.sign));
    noteFailure('bare JSON endpoint · Fastify', ceiling.json);
    noteFailure('1 ES256 sign per request · Fastify', ceiling.sign);
  }
  out.push(
    table(
      ['Scenario', 'Server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'invalid', 'busy srv/load'],
      rows,
      [2, 3, 4, 5, 6, 7, 8],
    ),
  );

  out.push('', 'Gatehouse / oidc-provider (req/s)');
  out.push(
    table(
      ['Scenario', 'ratio', 'target', 'result'],
      scenarios.map((s) => [
        s.title,
        times(s.ratio),
        `>= ${s.target}x`,
        s.ratio === undefined ? 'n/a (a side failed or was skipped)' : s.ratio >= s.target ? 'met' : 'MISSED',
      ]),
      [1],
    ),
  );

  if (ceiling.crypto || ceiling.json || ceiling.sign) {
    out.push('', 'Machine ceiling (same run, same server core)');
    const c = ceiling.crypto;
    out.push(
      table(
        ['Measure', 'rate'],
        [
          [
            `jose ES256 SignJWT (${c?.concurrency ?? '?'} in flight)`,
            c ? `${int(c.joseSignsPerSec)} signs/s` : '–',
          ],
          ['raw node:crypto ES256 sign', c ? `${int(c.nodeSignsPerSec)} signs/s` : '–'],
          ['Fastify, bare JSON endpoint', `${int(rate(ceiling.json))} req/s`],
          ['Fastify, 1 raw ES256 sign per request', `${int(rate(ceiling.sign))} req/s`],
        ],
        [1],
      ),
    );
  }

  if (shares.length) {
    out.push('', 'Gatehouse as a share of the ceiling');
    out.push(
      table(
        ['Scenario', 'compared with', 'share'],
        shares.map((s) => [s.title, s.against, pct(s.share)]),
        [2],
      ),
    );
  }

  if (noise.length)
    out.push('', '* Disturbed runs (numbers less reliable; rerun on a quieter machine):', ...noise);
  if (failures.length) out.push('', 'Failed runs (not counted as measurements):', ...failures);
  return out.join('\n');
}

/** The scenario → ceiling pairs "share of the ceiling" is computed for. */
export function computeShares(scenarios, ceiling) {
  const byId = Object.fromEntries(scenarios.map((s) => [s.id, s]));
  const pairs = [
    ['jwt', 'Fastify + 1 raw ES256 sign', rate(ceiling.sign)],
    ['jwt', 'jose SignJWT signs/s', ceiling.crypto?.joseSignsPerSec],
    ['opaque', 'Fastify bare JSON', rate(ceiling.json)],
    ['introspection', 'Fastify bare JSON', rate(ceiling.json)],
  ];
  const shares = [];
  for (const [id, against, ceil] of pairs) {
    const s = byId[id];
    const ours = rate(s?.gatehouse);
    if (s && ours !== undefined && ceil)
      shares.push({ scenario: id, title: s.title, against, share: ours / ceil });
  }
  return shares;
}

export async function writeResults(dir, results) {
  await mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const file = join(dir, `${stamp}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
