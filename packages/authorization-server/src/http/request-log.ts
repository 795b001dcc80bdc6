import type { FastifyInstance } from 'fastify';
import type { IssuerMetrics } from './metrics.js';

/**
 * One log line and one metrics sample per request. The path is logged without its query
 * string, since a query can carry codes or tokens; headers and bodies are never logged.
 */
export function registerRequestLog(
  app: FastifyInstance,
  metrics: IssuerMetrics,
  logEachRequest: boolean,
): void {
  // prom-client hashes the label set on every inc()/observe(); the bound children are looked
  // up once per (method, route, status) instead, which halves the cost of a sample.
  const counters = new Map<string, ReturnType<typeof metrics.requests.labels>>();
  const histograms = new Map<string, ReturnType<typeof metrics.duration.labels>>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${reply.statusCode} ${route}`;
    let counter = counters.get(key);
    if (!counter) {
      counter = metrics.requests.labels({ method: request.method, route, status: reply.statusCode });
      counters.set(key, counter);
    }
    counter.inc();
    let histogram = histograms.get(route);
    if (!histogram) {
      histogram = metrics.duration.labels({ route });
      histograms.set(route, histogram);
    }
    histogram.observe(reply.elapsedTime / 1000);
    if (logEachRequest) {
      request.log.info(
        {
          method: request.method,
          path: request.url.split('?', 1)[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      );
    }
    done();
  });
}
