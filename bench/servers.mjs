// Starting the three kinds of server the bench measures, each as a child process on the server core:
// Gatehouse (its CLI, SQLite in a fresh temp dir), the peer (peer-server.mjs) and the bare Fastify ceiling.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBenchDatabase } from './postgres.mjs';
import { freePort, makeTempDir, removeTempDir, startServer } from './proc.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const GATEHOUSE_CLI = join(ROOT, 'packages/cli/dist/bin.js');
const PEER = fileURLToPath(new URL('./peer-server.mjs', import.meta.url));
const CEILING = fileURLToPath(new URL('./ceiling-server.mjs', import.meta.url));

const HOST = '127.0.0.1';
// A long lifetime on both sides, so the introspected token stays live however long --duration is.
export const TOKEN_TTL = 3600;

/** The clients and resources both authorization servers are configured with. */
export function benchSetup() {
  const secret = () => randomBytes(32).toString('base64url');
  return {
    clients: {
      client: { id: 'bench-client', secret: secret() },
      rs: { id: 'bench-rs', secret: secret() },
    },
    resources: { jwt: 'https://jwt-api.bench.test', opaque: 'https://opaque-api.bench.test' },
    scopes: ['read', 'write'],
    requestScope: 'read',
  };
}

const jsonReady = (line) => {
  if (!line.startsWith('{')) return undefined;
  try {
    const msg = JSON.parse(line);
    return msg.ready ? msg : undefined;
  } catch {
    return undefined;
  }
};

export function gatehouseBuilt() {
  return existsSync(GATEHOUSE_CLI);
}

/**
 * Gatehouse on SQLite in a fresh temp dir, or, with `databaseUrl` (an admin URL), on a fresh
 * PostgreSQL database created beside it and dropped when the server stops.
 */
export async function startGatehouse(setup, { databaseUrl } = {}) {
  if (!gatehouseBuilt())
    throw new Error(`Gatehouse CLI not built (${GATEHOUSE_CLI} is missing): run npm run build`);
  const port = await freePort();
  const issuer = `http://${HOST}:${port}`;
  const dataDir = await makeTempDir('gatehouse-bench-');
  let database;
  try {
    database = databaseUrl ? await createBenchDatabase(databaseUrl) : undefined;
  } catch (err) {
    await removeTempDir(dataDir);
    throw new Error(`cannot create a PostgreSQL database at ${databaseUrl}: ${err.message}`);
  }
  const { clients, resources, scopes } = setup;
  const config = {
    issuer,
    ...(database ? { database_url: database.url } : {}),
    listen: { host: HOST, port },
    log_level: 'warn',
    request_logging: false,
    resources: [
      { id: resources.jwt, scopes, token_format: 'jwt', access_token_lifetime: TOKEN_TTL },
      {
        id: resources.opaque,
        scopes,
        token_format: 'opaque',
        access_token_lifetime: TOKEN_TTL,
        introspection_clients: [clients.rs.id],
      },
    ],
    clients: [
      {
        client_id: clients.client.id,
        client_secret: clients.client.secret,
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: scopes.join(' '),
      },
      {
        client_id: clients.rs.id,
        client_secret: clients.rs.secret,
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
  };
  // JSON is valid YAML, so the config needs no YAML writer.
  const configFile = join(dataDir, 'gatehouse.json');
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  try {
    const handle = await startServer({
      name: 'gatehouse',
      cwd: ROOT,
      args: [GATEHOUSE_CLI, 'start', '--config', configFile, '--data-dir', dataDir, '--port', String(port)],
      env: { NODE_ENV: 'production', GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64url') },
      ready: (line) => line.includes(issuer),
    });
    const stop = handle.stop;
    handle.stop = async () => {
      await stop();
      await removeTempDir(dataDir);
      await database?.drop();
    };
    return { ...handle, issuer, dataDir, stop: handle.stop };
  } catch (err) {
    await removeTempDir(dataDir);
    await database?.drop().catch(() => {});
    throw err;
  }
}

export async function startPeer(setup) {
  const port = await freePort();
  const { clients, resources, scopes } = setup;
  const handle = await startServer({
    name: 'oidc-provider',
    cwd: ROOT,
    args: [PEER, JSON.stringify({ host: HOST, port, clients, resources, scopes, accessTokenTTL: TOKEN_TTL })],
    env: { NODE_ENV: 'production' },
    ready: jsonReady,
  });
  return { ...handle, issuer: handle.readyValue.issuer };
}

export async function startCeiling() {
  const port = await freePort();
  const handle = await startServer({
    name: 'fastify-ceiling',
    cwd: ROOT,
    args: [CEILING, JSON.stringify({ host: HOST, port })],
    env: { NODE_ENV: 'production' },
    ready: jsonReady,
  });
  return { ...handle, url: handle.readyValue.url };
}
