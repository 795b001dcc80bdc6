import type { FastifyInstance } from 'fastify';

/**
 * Headers every response carries. API responses are JSON that no browser should render or
 * frame; and unless a route says otherwise (discovery, JWKS), nothing is cached: RFC 6749
 * §5.1 requires no-store on token responses, and the rest carry credentials or state too.
 */
const STATIC_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};
const STATIC_HEADERS_NO_STORE = { ...STATIC_HEADERS, 'cache-control': 'no-store', pragma: 'no-cache' };

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(reply.hasHeader('cache-control') ? STATIC_HEADERS : STATIC_HEADERS_NO_STORE);
    done(null, payload);
  });
}
