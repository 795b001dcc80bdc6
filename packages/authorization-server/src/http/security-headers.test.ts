import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { registerSecurityHeaders } from './security-headers.js';

describe('security headers', () => {
  const app = Fastify();
  registerSecurityHeaders(app);
  app.get('/api', async () => ({ ok: true }));
  app.get('/cached', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return {};
  });
  app.get('/page', async (_request, reply) => {
    reply.header('content-security-policy', "default-src 'none'; style-src 'sha256-x'");
    return 'page';
  });

  it('gives API responses no-store and a deny-all CSP', async () => {
    const res = await app.inject({ url: '/api' });
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['pragma'], 'no-cache');
    assert.equal(res.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
  });

  it('keeps a cache policy a route set', async () => {
    const res = await app.inject({ url: '/cached' });
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
    assert.equal(res.headers['pragma'], undefined);
  });

  it('keeps a CSP a page set', async () => {
    const res = await app.inject({ url: '/page' });
    assert.equal(res.headers['content-security-policy'], "default-src 'none'; style-src 'sha256-x'");
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});
