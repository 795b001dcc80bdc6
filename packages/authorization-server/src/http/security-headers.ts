import type { FastifyInstance } from 'fastify';

const BASE_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
// For API responses: JSON that no browser should render, run or frame.
const API_CSP = { 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" };

/**
 * Headers every response carries. Unless a route says otherwise (discovery, JWKS), nothing is
 * cached: RFC 6749 §5.1 requires no-store on token responses, and the rest carry credentials
 * or state too. A route that sets its own Content-Security-Policy (an HTML page allowing its
 * stylesheet) keeps it; everything else gets the API policy.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(BASE_HEADERS);
    if (!reply.hasHeader('cache-control')) reply.headers(NO_STORE);
    if (!reply.hasHeader('content-security-policy')) reply.headers(API_CSP);
    done(null, payload);
  });
}
