import { join } from 'node:path';
import { type Clock, createLogger, epochSeconds, type Logger, systemClock } from '@gatehouse/core';
import { openStore, type Store } from '@gatehouse/store';
import type { FastifyInstance } from 'fastify';
import { syncConfigUsers } from './accounts/config-users.js';
import { createClientLookup } from './clients/client-cache.js';
import { syncConfigClients } from './clients/config-clients.js';
import type { GatehouseConfig } from './config/schema.js';
import { endpointUrls, type IssuerContext } from './context.js';
import { createIssuerMetrics } from './http/metrics.js';
import { ensureSigningKeys, openKeyRing } from './keys/key-ring.js';
import { deriveKeys } from './keys/master-key.js';
import { resolveMasterKey } from './keys/master-key-file.js';
import { signingAlgsInUse } from './keys/signing-algs.js';
import { BackchannelLogout, type DeliverLogoutToken } from './logout/backchannel.js';
import { scheduleTimedOutSessionSweep } from './logout/timed-out-sessions.js';
import { scheduleExpiredRowCleanup } from './maintenance/expired-rows.js';
import { createResourceRegistry } from './resources/resource-registry.js';
import { buildIssuerApp, buildManagementApp } from './server.js';
import { loadTlsSetup } from './tls/tls-settings.js';

export interface IssuerOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
  /** An already open store (tests); otherwise one is opened from the config. */
  store?: Store;
  /** How Back-Channel Logout tokens travel; `fetch` unless replaced (tests). */
  deliverLogoutToken?: DeliverLogoutToken;
  /** Process-wide Prometheus metrics (CPU, memory, event loop); off in tests. */
  processMetrics?: boolean;
}

export interface Issuer {
  app: FastifyInstance;
  /**
   * The HTTPS app that asks for client certificates (RFC 8705), when `tls` has cert_file and
   * key_file: the same endpoints as `app`, to listen on `tls.host`/`tls.port`.
   */
  mtlsApp?: FastifyInstance;
  /** The probes and metrics, when `management` is configured: to listen on its host and port. */
  managementApp?: FastifyInstance;
  context: IssuerContext;
  /** Stops timers, the HTTP app and the store (if the issuer opened it). */
  close(): Promise<void>;
}

/** Opens the store a config names: PostgreSQL when database_url is set, else SQLite in data_dir. */
export async function openConfiguredStore(config: GatehouseConfig): Promise<Store> {
  return config.database_url
    ? openStore({ kind: 'postgres', url: config.database_url })
    : openStore({ kind: 'sqlite', file: join(config.data_dir, 'gatehouse.db') });
}

/**
 * Everything a running issuer needs, in order: the store (migrated), the master key, signing
 * keys, the config's clients and users, and the HTTP app.
 */
export async function createIssuer(config: GatehouseConfig, options: IssuerOptions = {}): Promise<Issuer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.log_level, name: 'gatehouse' });
  // Before the store opens: a missing certificate file should stop the start with nothing to undo.
  const tls = loadTlsSetup(config);
  const ownsStore = options.store === undefined;
  const store = options.store ?? (await openConfiguredStore(config));
  let reloadTimer: NodeJS.Timeout | undefined;
  let stopCleanup = () => {};
  let stopSweep = () => {};
  try {
    const applied = await store.migrate();
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

    const master = resolveMasterKey(config.data_dir, options.env ?? process.env);
    if (master.origin === 'generated') {
      logger.warn(
        { file: master.file },
        'generated a new master key beside the database; anyone with both can read the signing keys. ' +
          'For production set GATEHOUSE_MASTER_KEY from a secret store.',
      );
    }
    const secrets = deriveKeys(master.key);
    const resources = createResourceRegistry(config);
    const now = epochSeconds(clock);
    // One active key per algorithm in use: the access-token algorithm, RS256 (the ID-token
    // default, OIDC Discovery §3) and each client's id_token_signed_response_alg.
    const algs = signingAlgsInUse(config);
    const created = await ensureSigningKeys(store.signingKeys, algs, secrets.keyEncryption, now);
    for (const key of created) logger.info({ kid: key.kid, alg: key.alg }, 'created a signing key');

    const keys = await openKeyRing(config, store.signingKeys, {
      encryptionKey: secrets.keyEncryption,
      clock,
      logger,
    });
    reloadTimer = setInterval(() => {
      keys.reload().catch((error: unknown) => logger.error({ err: error }, 'reloading signing keys failed'));
    }, config.keys.reload_interval * 1000);
    reloadTimer.unref();

    stopCleanup = scheduleExpiredRowCleanup(store, clock, logger, 600);

    await syncConfigClients(store, config.clients, secrets.secretDigest, now);
    const users = await syncConfigUsers(store, config.users, logger, now);
    if (users.added + users.updated + users.disabled > 0) logger.info(users, 'synced users from the config');

    // Reads the context only when a session ends, by which time it exists.
    const backchannelLogout = new BackchannelLogout(() => context, {
      ...(options.deliverLogoutToken ? { deliver: options.deliverLogoutToken } : {}),
    });
    const context: IssuerContext = {
      config,
      store,
      findClient: createClientLookup(store.clients, clock, config.cache.client_seconds),
      keys,
      secrets,
      resources,
      clock,
      logger,
      metrics: createIssuerMetrics({ processMetrics: options.processMetrics ?? false }),
      endpoints: endpointUrls(config.issuer),
      backchannelLogout,
      onSessionEnded: backchannelLogout.sessionEnded,
      ...(tls ? { mtls: tls.settings } : {}),
    };
    // Timed-out sessions end within a minute, so their clients hear of it (Back-Channel Logout).
    stopSweep = scheduleTimedOutSessionSweep(context, 60);
    const app = buildIssuerApp(context);
    await app.ready();
    const mtlsApp = tls?.listener ? buildIssuerApp(context, { https: tls.listener }) : undefined;
    await mtlsApp?.ready();
    const managementApp = config.management ? buildManagementApp(context) : undefined;
    await managementApp?.ready();
    return {
      app,
      ...(mtlsApp ? { mtlsApp } : {}),
      ...(managementApp ? { managementApp } : {}),
      context,
      async close() {
        clearInterval(reloadTimer);
        stopCleanup();
        stopSweep();
        await managementApp?.close();
        await mtlsApp?.close();
        await app.close();
        // Deliveries read the store; each is bounded by its timeout.
        await backchannelLogout.idle();
        if (ownsStore) await store.close();
      },
    };
  } catch (error) {
    clearInterval(reloadTimer);
    stopCleanup();
    stopSweep();
    if (ownsStore) await store.close();
    throw error;
  }
}
