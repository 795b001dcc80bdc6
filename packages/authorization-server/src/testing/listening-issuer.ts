import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, createSilentLogger } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import { validateConfig } from '../config/load.js';
import { createIssuer, type Issuer } from '../issuer.js';
import { TEST_MASTER_KEY } from './harness.js';

/**
 * An issuer on a real loopback socket, for the interop and browser tests: third-party clients
 * and browsers reach it over HTTP, so its issuer URL is the address it listens on.
 */
export interface ListeningIssuer {
  issuer: Issuer;
  /** http://127.0.0.1:<port>[<path>], the issuer identifier and the base of every endpoint. */
  url: string;
  /** Stops listening, closes the store (a test store deletes itself) and the data directory. */
  close(): Promise<void>;
}

export interface ListeningIssuerOptions {
  /** A store the issuer then owns; without one it opens SQLite in its data directory, as in production. */
  store?: Store;
  clock?: Clock;
  /** A path for the issuer identifier (`/tenants/acme`); the endpoints then live under it. */
  path?: string;
}

/** A port nobody listens on right now: the issuer URL must be known before the app is built. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Validates `document` as the config, with the issuer, listen address and a fresh data
 * directory filled in, and starts the issuer listening on 127.0.0.1.
 */
export async function startListeningIssuer(
  document: Record<string, unknown>,
  options: ListeningIssuerOptions = {},
): Promise<ListeningIssuer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}${options.path ?? ''}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-listening-'));
  let issuer: Issuer | undefined;
  const close = async () => {
    try {
      await issuer?.close();
    } finally {
      // The issuer leaves a store it was given open.
      await options.store?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    const config = validateConfig({
      log_level: 'silent',
      request_logging: false,
      ...document,
      issuer: url,
      listen: { host: '127.0.0.1', port },
      data_dir: dataDir,
    });
    issuer = await createIssuer(config, {
      store: options.store,
      clock: options.clock,
      env: { GATEHOUSE_MASTER_KEY: TEST_MASTER_KEY },
      logger: createSilentLogger(),
    });
    await issuer.app.listen({ host: '127.0.0.1', port });
  } catch (error) {
    await close();
    throw error;
  }
  return { issuer, url, close };
}
