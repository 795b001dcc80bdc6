import type { Clock, Logger } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import type { FindClient } from './clients/client-cache.js';
import type { GatehouseConfig } from './config/schema.js';
import type { IssuerMetrics } from './http/metrics.js';
import type { KeyRing } from './keys/key-ring.js';
import type { DerivedKeys } from './keys/master-key.js';
import type { BackchannelLogout } from './logout/backchannel.js';
import type { ResourceRegistry } from './resources/resource-registry.js';
import type { SessionEndedListener } from './sessions/session-service.js';
import type { MtlsSettings } from './tls/tls-settings.js';
import type { SenderConstraint } from './tokens/confirmation.js';

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
  /** Back-Channel Logout deliveries (its `deliver` is what tests replace to capture them). */
  backchannelLogout: BackchannelLogout;
  /** Called by the session service for every session that ends: `backchannelLogout.sessionEnded`. */
  onSessionEnded: SessionEndedListener;
  /** Mutual TLS (RFC 8705), when the config has a `tls` section. */
  mtls?: MtlsSettings;
  /**
   * Set only in the context the token endpoint hands a grant for one request: the sender
   * constraint that request proved (a DPoP key, RFC 9449 §5). Token issuance binds to it, so
   * every grant issues bound tokens without handling proofs itself.
   */
  senderConstraint?: SenderConstraint;
}

export interface EndpointUrls {
  token: string;
  introspection: string;
  revocation: string;
  jwks: string;
  /** OpenID Connect RP-Initiated Logout 1.0 §2.1 end_session_endpoint. */
  endSession: string;
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
    endSession: `${issuer}/logout`,
    deviceAuthorization: `${issuer}/device_authorization`,
    deviceVerification: `${issuer}/device`,
  };
}
