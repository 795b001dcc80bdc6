// Load generator child process: runs one autocannon run and prints a JSON summary as its last stdout line.
// Started by load.mjs under `taskset -c 1`, so it never competes with the server for a core.
// Options arrive as JSON on stdin.

import autocannon from 'autocannon';
import { coreTimes, coreUsage, processSeconds } from './cpu.mjs';

let text = '';
for await (const chunk of process.stdin) text += chunk;
const opts = JSON.parse(text);

const ACCESS_TOKEN = /"access_token"\s*:\s*"([^"]+)"/;
const ACTIVE = /"active"\s*:\s*true/;

// Each response body is checked, so a server that answers fast with errors (or with inactive tokens)
// shows up as failures instead of as throughput.
const checks = {
  jwt: (body) => {
    const m = ACCESS_TOKEN.exec(body);
    return m !== null && m[1].split('.').length === 3;
  },
  opaque: (body) => {
    const m = ACCESS_TOKEN.exec(body);
    return m !== null && !m[1].includes('.');
  },
  active: (body) => ACTIVE.test(body),
  any: () => true,
};

// Bodies are checked only on 2xx answers (non-2xx are counted by autocannon on their own).
let invalid = 0;
let firstInvalid;
const check = checks[opts.expect ?? 'any'];
const onResponse = (status, body) => {
  if (status >= 200 && status < 300 && !check(body)) {
    invalid++;
    if (firstInvalid === undefined) firstInvalid = String(body).slice(0, 300);
  }
};

const timesBefore = coreTimes();
const serverBefore = processSeconds(opts.serverPid);
const ownBefore = process.cpuUsage();
const wallBefore = performance.now();
const result = await autocannon({
  url: opts.url,
  method: opts.method ?? 'GET',
  headers: opts.headers,
  body: opts.body,
  connections: opts.connections,
  pipelining: 1,
  duration: opts.duration,
  timeout: 10,
  requests: [{ onResponse }],
});

const timesAfter = coreTimes();
const serverAfter = processSeconds(opts.serverPid);
const own = process.cpuUsage(ownBefore);
const cores = coreUsage(
  timesBefore,
  timesAfter,
  opts.cores,
  {
    server: serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore,
    load: (own.user + own.system) / 1e6,
  },
  (performance.now() - wallBefore) / 1000,
);

process.stdout.write(
  `${JSON.stringify({
    requestsPerSec: result.requests.average,
    latency: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: result.latency.average,
      max: result.latency.max,
    },
    completed: result.requests.total,
    duration: result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    invalid,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]),
    ),
    firstInvalid,
    cores,
  })}\n`,
);
