import type { FastifyInstance } from 'fastify';

/**
 * Headers every response carries. API responses are JSON that no browser should render or
 * frame; and unless a route says otherwise (discovery, JWKS), nothing is cached: RFC 6749
 * §5.1 requires no-store on token responses, and the rest carry credentials or state too.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    if (!reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
      reply.header('pragma', 'no-cache');
    }
    done(null, payload);
  });
}
