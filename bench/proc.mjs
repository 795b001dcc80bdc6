// Child-process plumbing: CPU pinning with taskset, starting servers and waiting until they are ready,
// running one-shot JSON-printing workers, and making sure nothing outlives the bench.

import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set();
let pinning = { enabled: true, server: '0', load: '1' };

/** Checks that taskset exists and that there are two cores to split between server and load generator. */
export function setupPinning({ enabled }) {
  if (!enabled) {
    pinning = { enabled: false };
    return { pinned: false, cores: availableParallelism(), reason: 'disabled with --no-pin' };
  }
  const probe = spawnSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'taskset (util-linux) is not available; install util-linux, or run with --no-pin (results are then not comparable)',
    );
  }
  const cores = availableParallelism();
  if (cores < 2) {
    throw new Error(
      `need 2 CPU cores to pin the server and the load generator apart, found ${cores}; use --no-pin`,
    );
  }
  pinning = { enabled: true, server: '0', load: '1' };
  return { pinned: true, cores, server: 'cpu 0', load: 'cpu 1' };
}

/** The cores server and load generator are pinned to, or undefined when not pinned. */
export function pinnedCores() {
  return pinning.enabled ? { server: Number(pinning.server), load: Number(pinning.load) } : undefined;
}

/** The command line for running `node args...` on the server core or the load-generator core. */
function nodeCommand(role, args) {
  if (!pinning.enabled) return [process.execPath, args];
  return ['taskset', ['-c', pinning[role], process.execPath, ...args]];
}

/** Asks the OS for a free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

const tempDirs = new Set();

/** A fresh temporary directory, removed by removeTempDir or, at the latest, when the bench exits. */
export async function makeTempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir) {
  await rm(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Kills every child still running and removes leftover temp dirs (used on exit and on Ctrl-C). */
export function killAll() {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll();
    process.stderr.write(`\ninterrupted (${signal}); child processes stopped\n`);
    process.exit(130);
  });
}

/**
 * Starts a long-running server on the server core. Resolves once a line of its stdout satisfies `ready`
 * (a function of the line returning a truthy value, which is passed back as `readyValue`).
 * Server output is kept (the last lines only) and shown only when something goes wrong.
 */
export function startServer({ name, args, env, cwd, ready, timeoutMs = 30_000 }) {
  const [cmd, argv] = nodeCommand('server', args);
  const child = track(
    spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const tail = [];
  const remember = (line) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  const handle = {
    name,
    child,
    output: () => tail.join('\n'),
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => stopChild(child),
  };

  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        child.kill('SIGKILL');
        const out = handle.output();
        reject(new Error(`${name}: ${err}${out ? `\n--- last output of ${name} ---\n${out}` : ''}`));
      } else {
        handle.readyValue = value;
        resolve(handle);
      }
    };
    const timer = setTimeout(() => finish(`not ready after ${timeoutMs / 1000}s`), timeoutMs);
    // Either stream may carry the ready line (some servers announce their address on stderr).
    const onLine = (line) => {
      remember(line);
      if (!done) {
        const value = ready(line);
        if (value) finish(null, value);
      }
    };
    lines(child.stdout, onLine);
    lines(child.stderr, onLine);
    child.once('error', (err) => finish(`could not start (${err.message})`));
    child.once('exit', (code, signal) => finish(`exited during start-up (code ${code}, signal ${signal})`));
  });
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs a short-lived node script on the given role's core; the script prints its result as the last JSON line
 * of stdout. Its stderr is passed through (it is used for nothing but errors).
 */
export function runWorker({ role, args, input, timeoutMs }) {
  const [cmd, argv] = nodeCommand(role, args);
  const child = track(spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
  });
  child.stdin.end(JSON.stringify(input ?? {}));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop();
      if (code === 0 && last) {
        try {
          resolve(JSON.parse(last));
          return;
        } catch {}
      }
      reject(
        new Error(`${args[0]} failed (code ${code}, signal ${signal})\n${stderr.trim() || stdout.trim()}`),
      );
    });
  });
}

function lines(stream, onLine) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let i = buf.indexOf('\n');
    while (i !== -1) {
      onLine(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buf) onLine(buf);
  });
}
