import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one issuer instance (its own registry, so instances never share). */
export interface IssuerMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'route'>;
  tokensIssued: Counter<'grant_type' | 'format'>;
  /** Back-Channel Logout tokens by outcome: delivered, failed, timeout. */
  backchannelLogouts: Counter<'outcome'>;
  /** User codes entered on the device page, by outcome: found, unknown, malformed, throttled. */
  deviceUserCodes: Counter<'outcome'>;
}

export function createIssuerMetrics(options: { processMetrics: boolean }): IssuerMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  return {
    registry,
    requests: new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests by route, method and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP request duration by route.',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    tokensIssued: new Counter({
      name: 'gatehouse_tokens_issued_total',
      help: 'Access tokens issued by grant type and format.',
      labelNames: ['grant_type', 'format'],
      registers: [registry],
    }),
    backchannelLogouts: new Counter({
      name: 'gatehouse_backchannel_logout_total',
      help: 'Back-Channel Logout tokens sent to clients, by outcome (delivered, failed, timeout).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    deviceUserCodes: new Counter({
      name: 'gatehouse_device_user_codes_total',
      help: 'User codes entered on the device verification page, by outcome (found, unknown, malformed, throttled).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
