import type { Clock, Logger } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import type { FindClient } from './clients/client-cache.js';
import type { GatehouseConfig } from './config/schema.js';
import type { IssuerMetrics } from './http/metrics.js';
import type { KeyRing } from './keys/key-ring.js';
import type { DerivedKeys } from './keys/master-key.js';
import type { ResourceRegistry } from './resources/resource-registry.js';

/** What endpoints and grants work with. Grants get this, never the HTTP framework. */
export interface IssuerContext {
  config: GatehouseConfig;
  store: Store;
  /** Client lookup through the short-lived per-node cache. */
  findClient: FindClient;
  keys: KeyRing;
  secrets: DerivedKeys;
  resources: ResourceRegistry;
  clock: Clock;
  logger: Logger;
  metrics: IssuerMetrics;
  /** Absolute URLs of our endpoints, from the issuer. */
  endpoints: EndpointUrls;
}

export interface EndpointUrls {
  token: string;
  introspection: string;
  revocation: string;
  jwks: string;
  /** RFC 8628 §3.1 device authorization endpoint. */
  deviceAuthorization: string;
  /** RFC 8628 §3.2 verification_uri: the page where a person enters the user code. */
  deviceVerification: string;
}

export function endpointUrls(issuer: string): EndpointUrls {
  return {
    token: `${issuer}/token`,
    introspection: `${issuer}/introspect`,
    revocation: `${issuer}/revoke`,
    jwks: `${issuer}/jwks`,
    deviceAuthorization: `${issuer}/device_authorization`,
    deviceVerification: `${issuer}/device`,
  };
}
