#!/usr/bin/env node
// npm run bench: Gatehouse against oidc-provider under the same load, plus the machine's ceiling, in one run.
// See bench/README.md for what is measured and how to read the output.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineBusy } from './cpu.mjs';
import { measure } from './load.mjs';
import { checkActive, checkToken, introspectionRequest, tokenRequest, waitForDiscovery } from './oauth.mjs';
import { runWorker, setupPinning } from './proc.mjs';
import { computeShares, rate, renderReport, writeResults } from './report.mjs';
import {
  benchSetup,
  GATEHOUSE_CLI,
  gatehouseBuilt,
  ROOT,
  startCeiling,
  startGatehouse,
  startPeer,
} from './servers.mjs';

const HELP = `Usage: npm run bench [-- options]      (or: node bench/run.mjs [options] after npm run build)

Starts Gatehouse (SQLite) and oidc-provider one after the other on cpu 0, drives each with autocannon
from cpu 1, and prints req/s, p50 and p99 for client_credentials (JWT), client_credentials (opaque)
and introspection, the Gatehouse/oidc-provider ratio against its target, and the machine's ceiling.
Results are also written to bench/results/<timestamp>.json.

Options:
  --duration N      seconds measured per scenario (default 15)
  --warmup N        seconds of warm-up before each measured run (default 3; 0 disables)
  --connections N   concurrent connections (default 64)
  --only LIST       comma-separated subset of: ceiling,gatehouse,peer (default: all)
  --store S         Gatehouse's store: sqlite (default; durable, synchronous=FULL) or postgres
  --database-url U  with --store postgres: where to create (and drop) a fresh database for the run
                    (default $GATEHOUSE_BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test);
                    the PostgreSQL server itself is not pinned and may share either core
  --no-pin          do not pin with taskset (numbers are then not comparable)
  -h, --help        this text

With the defaults a full run takes about 3 minutes.`;

const SCENARIOS = [
  { id: 'jwt', title: 'client_credentials (JWT)', target: 2.5 },
  { id: 'opaque', title: 'client_credentials (opaque)', target: 1.5 },
  { id: 'introspection', title: 'introspection (opaque)', target: 2 },
];
const SERVERS = ['ceiling', 'gatehouse', 'peer'];

function parseOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '64' },
      only: { type: 'string', default: SERVERS.join(',') },
      store: { type: 'string', default: 'sqlite' },
      'database-url': {
        type: 'string',
        default: process.env.GATEHOUSE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      },
      'no-pin': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const num = (name, min, max) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max)
      usage(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const only = values.only.split(',').map((s) => s.trim());
  const unknown = only.filter((s) => !SERVERS.includes(s));
  if (unknown.length) usage(`--only: unknown ${unknown.join(', ')} (choose from ${SERVERS.join(', ')})`);
  if (!['sqlite', 'postgres'].includes(values.store)) usage(`--store must be sqlite or postgres`);
  return {
    duration: num('duration', 1, 3600),
    warmup: num('warmup', 0, 600),
    connections: num('connections', 1, 10_000),
    only: new Set(only),
    store: values.store,
    databaseUrl: values['database-url'],
    pin: !values['no-pin'],
  };
}

function usage(message) {
  console.error(`bench: ${message}\n\n${HELP}`);
  process.exit(2);
}

const t0 = Date.now();
const log = (msg) =>
  process.stderr.write(`[${String(Math.round((Date.now() - t0) / 1000)).padStart(4)}s] ${msg}\n`);
const pctText = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '?');
const coresText = ({ server, load }) =>
  `cores busy ${pctText(server?.busy)} server / ${pctText(load?.busy)} load ` +
  `(other processes ${pctText(server?.others)} / ${pctText(load?.others)})`;
const summary = (r) =>
  r.failed
    ? `FAILED: ${r.failure}`
    : `${Math.round(r.requestsPerSec).toLocaleString('en-US')} req/s, p50 ${r.latency.p50} ms, ` +
      `p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}${r.cores ? `, ${coresText(r.cores)}` : ''}`;

function pkgVersion(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function gitDescribe() {
  try {
    const git = (...args) =>
      execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    const dirty = git('status', '--porcelain', '--', 'packages');
    return dirty.trim() ? `${commit}+dirty` : commit;
  } catch {
    return undefined;
  }
}

/** Runs one measured scenario, with progress lines; never throws (a failure is recorded in the result). */
async function runScenario(label, request, opts, server) {
  const progress = (msg) => log(`${label}: ${msg}`);
  try {
    const r = await measure(request, { ...opts, progress, serverPid: server.child.pid });
    log(`${label}: ${summary(r)}`);
    return r;
  } catch (err) {
    log(`${label}: FAILED: ${err.message}`);
    return { failed: true, failure: err.message };
  }
}

/**
 * The three OAuth scenarios against one authorization server: each request is checked once by hand
 * (200, a token of the right kind, an active introspection) before autocannon replays it.
 */
async function runAuthorizationServer(name, start, setup, opts) {
  const failAll = (why) => Object.fromEntries(SCENARIOS.map((s) => [s.id, { failed: true, failure: why }]));
  log(`${name}: starting`);
  let server;
  try {
    server = await start(setup);
  } catch (err) {
    log(`${name}: could not start: ${err.message}`);
    return failAll(`server did not start: ${err.message.split('\n')[0]}`);
  }
  const results = {};
  try {
    const meta = await waitForDiscovery(server.issuer);
    log(
      `${name}: up at ${server.issuer} (token ${meta.token_endpoint}, introspection ${meta.introspection_endpoint})`,
    );
    const { clients, resources, requestScope } = setup;
    const jwtReq = tokenRequest(meta.token_endpoint, clients.client, resources.jwt, requestScope);
    const opaqueReq = tokenRequest(meta.token_endpoint, clients.client, resources.opaque, requestScope);

    const guarded = async (id, body) => {
      const label = `${name} · ${SCENARIOS.find((s) => s.id === id).title}`;
      try {
        results[id] = await body(label);
      } catch (err) {
        log(`${label}: FAILED before measuring: ${err.message}`);
        results[id] = { failed: true, failure: `check before measuring: ${err.message}` };
      }
      if (!server.alive()) {
        const why = `${name} exited during the run (exit code ${server.child.exitCode}, signal ${server.child.signalCode})\n${server.output()}`;
        results[id] = { ...results[id], failed: true, failure: results[id].failure ?? why };
        throw new Error(why);
      }
    };

    await guarded('jwt', async (label) => {
      await checkToken(jwtReq, 'jwt');
      return runScenario(label, { ...jwtReq, expect: 'jwt' }, opts, server);
    });
    await guarded('opaque', async (label) => {
      await checkToken(opaqueReq, 'opaque');
      return runScenario(label, { ...opaqueReq, expect: 'opaque' }, opts, server);
    });
    await guarded('introspection', async (label) => {
      // A fresh token, issued after the opaque run (a bounded in-memory store may have evicted older ones).
      const token = await checkToken(opaqueReq, 'opaque');
      const req = introspectionRequest(meta.introspection_endpoint, clients.rs, token);
      await checkActive(req);
      const r = await runScenario(label, { ...req, expect: 'active' }, opts, server);
      try {
        await checkActive(req);
      } catch (err) {
        const after = `after the run: ${err.message}`;
        log(`${label}: FAILED ${after}`);
        return { ...r, failed: true, failure: r.failure ? `${r.failure}; ${after}` : after };
      }
      return r;
    });
  } catch (err) {
    log(`${name}: ${err.message.split('\n')[0]}`);
    for (const s of SCENARIOS) results[s.id] ??= { failed: true, failure: err.message.split('\n')[0] };
  } finally {
    await server.stop();
  }
  return results;
}

async function runCeiling(opts) {
  const ceiling = {};
  const seconds = Math.min(3, opts.duration);
  log(`ceiling: ES256 signatures/s on the server core (jose, then node:crypto; ${seconds}s each)`);
  try {
    ceiling.crypto = await runWorker({
      role: 'server',
      args: [fileURLToPath(new URL('./crypto-ceiling.mjs', import.meta.url))],
      input: { seconds, concurrency: opts.connections },
      timeoutMs: (seconds * 2 + 30) * 1000,
    });
    const c = ceiling.crypto;
    log(
      `ceiling: jose ${Math.round(c.joseSignsPerSec).toLocaleString('en-US')} signs/s, ` +
        `node:crypto ${Math.round(c.nodeSignsPerSec).toLocaleString('en-US')} signs/s`,
    );
  } catch (err) {
    log(`ceiling: signature measurement failed: ${err.message}`);
  }
  log('ceiling: starting bare Fastify');
  let server;
  try {
    server = await startCeiling();
  } catch (err) {
    log(`ceiling: could not start: ${err.message}`);
    const failed = { failed: true, failure: `server did not start: ${err.message.split('\n')[0]}` };
    return { ...ceiling, json: failed, sign: failed };
  }
  try {
    ceiling.json = await runScenario(
      'Fastify · bare JSON',
      { url: `${server.url}/json`, expect: 'any' },
      opts,
      server,
    );
    ceiling.sign = await runScenario(
      'Fastify · 1 ES256 sign',
      { url: `${server.url}/sign`, expect: 'jwt' },
      opts,
      server,
    );
  } finally {
    await server.stop();
  }
  return ceiling;
}

async function main() {
  const opts = parseOptions();
  let pinning;
  try {
    pinning = setupPinning({ enabled: opts.pin });
  } catch (err) {
    console.error(`bench: ${err.message}`);
    process.exit(1);
  }
  if (opts.only.has('gatehouse') && !gatehouseBuilt()) {
    console.error(`bench: Gatehouse CLI not built (${GATEHOUSE_CLI} is missing): run npm run build`);
    console.error('       (or measure only the others with --only ceiling,peer)');
    process.exit(1);
  }

  const runs = (opts.only.has('ceiling') ? 2 : 0) + 3 * (opts.only.has('gatehouse') + opts.only.has('peer'));
  const estimate = runs * (opts.duration + opts.warmup + 1.5) + (opts.only.has('ceiling') ? 8 : 0) + 6;
  log(
    `${runs} load runs of ${opts.warmup}s warm-up + ${opts.duration}s, ${opts.connections} connections; ` +
      `about ${Math.ceil(estimate / 10) * 10}s in all`,
  );

  const startedAt = new Date().toISOString();
  const busyAtStart = await machineBusy();
  if (busyAtStart > 0.1) {
    log(
      `note: the machine is not idle (cores ${Math.round(busyAtStart * 100)}% busy before start); expect noise`,
    );
  }
  const loadOpts = { duration: opts.duration, warmup: opts.warmup, connections: opts.connections };
  const setup = benchSetup();
  const skipped = { skipped: true };

  const ceiling = opts.only.has('ceiling') ? await runCeiling(loadOpts) : {};
  const startOurs = (s) =>
    startGatehouse(s, opts.store === 'postgres' ? { databaseUrl: opts.databaseUrl } : {});
  const ours = opts.only.has('gatehouse')
    ? await runAuthorizationServer('Gatehouse', startOurs, setup, loadOpts)
    : {};
  const peer = opts.only.has('peer')
    ? await runAuthorizationServer('oidc-provider', startPeer, setup, loadOpts)
    : {};

  const scenarios = SCENARIOS.map((s) => {
    const g = opts.only.has('gatehouse') ? ours[s.id] : skipped;
    const p = opts.only.has('peer') ? peer[s.id] : skipped;
    const ratio = rate(g) !== undefined && rate(p) ? rate(g) / rate(p) : undefined;
    return { ...s, gatehouse: g, peer: p, ratio, met: ratio === undefined ? undefined : ratio >= s.target };
  });

  const modules = join(ROOT, 'node_modules');
  const results = {
    startedAt,
    finishedAt: new Date().toISOString(),
    elapsedSeconds: Math.round((Date.now() - t0) / 1000),
    settings: { ...loadOpts, pipelining: 1, only: [...opts.only], store: opts.store },
    machine: {
      node: process.version,
      platform: `${platform()} ${release()}`,
      cpu: cpus()[0]?.model?.trim() ?? 'unknown cpu',
      cores: cpus().length,
      pinning,
      busyAtStart,
    },
    versions: {
      gatehouse: gitDescribe(),
      oidcProvider: pkgVersion(join(modules, 'oidc-provider')),
      autocannon: pkgVersion(join(modules, 'autocannon')),
      fastify: pkgVersion(join(modules, 'fastify')),
      jose: pkgVersion(join(modules, 'jose')),
    },
    ceiling,
    scenarios,
    shares: computeShares(scenarios, ceiling),
  };

  console.log(renderReport(results));
  const file = await writeResults(fileURLToPath(new URL('./results', import.meta.url)), results);
  console.log(`\nResults written to ${file.slice(ROOT.length)} (${results.elapsedSeconds}s in all)`);

  const anyFailed = [...scenarios.flatMap((s) => [s.gatehouse, s.peer]), ceiling.json, ceiling.sign].some(
    (r) => r?.failed,
  );
  process.exitCode = anyFailed ? 1 : 0;
}

main().catch((err) => {
  console.error(`bench: ${err.stack ?? err}`);
  process.exit(1);
});
