import { type Clock, createSilentLogger, type Logger, systemClock } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import { createClientLookup } from '../clients/client-cache.js';
import type { GatehouseConfig } from '../config/schema.js';
import { createIssuerMetrics } from '../http/metrics.js';
import { openKeyRing } from '../keys/key-ring.js';
import type { DerivedKeys } from '../keys/master-key.js';
import { BackchannelLogout, type DeliverLogoutToken, type LogoutDeliveryOutcome } from './backchannel.js';

export interface StandaloneBackchannelOptions {
  /** The keys derived from the issuer's master key: they decrypt its signing keys. */
  secrets: Pick<DerivedKeys, 'keyEncryption'>;
  clock?: Clock;
  logger?: Logger;
  deliver?: DeliverLogoutToken;
  onOutcome?: (outcome: LogoutDeliveryOutcome) => void;
}

/**
 * Back-Channel Logout for a process that ends sessions without serving requests, such as
 * `gatehouse users disable`: without it, the apps a disabled person is signed in to would keep
 * their own sessions until those expired. Logout tokens are signed with the issuer's keys from
 * the store, as the server signs them; the caller awaits `idle()` before it exits.
 */
export async function openStandaloneBackchannelLogout(
  config: GatehouseConfig,
  store: Store,
  options: StandaloneBackchannelOptions,
): Promise<BackchannelLogout> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createSilentLogger();
  const keys = await openKeyRing(config, store.signingKeys, {
    encryptionKey: options.secrets.keyEncryption,
    clock,
    logger,
  });
  const context = {
    config,
    store,
    // Read fresh: an admin process must not act on a client it has cached.
    findClient: createClientLookup(store.clients, clock, 0),
    keys,
    clock,
    logger,
    metrics: createIssuerMetrics({ processMetrics: false }),
  };
  return new BackchannelLogout(() => context, {
    ...(options.deliver ? { deliver: options.deliver } : {}),
    ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
  });
}
