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
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.requests.inc({ method: request.method, route, status: reply.statusCode });
    metrics.duration.observe({ route }, seconds);
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
