import type { FastifyInstance } from 'fastify';
import type { IssuerContext } from '../context.js';

/** Liveness (the process answers), readiness (the store answers and a key can sign), metrics. */
export function healthEndpoints(app: FastifyInstance, ctx: IssuerContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    try {
      await ctx.store.ping();
      ctx.keys.signingKey();
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'not ready');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
