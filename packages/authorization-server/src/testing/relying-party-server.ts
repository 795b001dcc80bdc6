import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { freePort } from './listening-issuer.js';

/**
 * A relying party's web server on a loopback port, for the interop and browser tests: it
 * answers every page with a small HTML page and remembers each visit, and collects the
 * logout tokens POSTed to `/backchannel-logout` (OpenID Connect Back-Channel Logout 1.0 §2.5).
 */
export interface RelyingPartyServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  visits: URL[];
  logoutTokens: string[];
  /** The last visit to `path` (a browser also asks for a favicon); fails the test without one. */
  lastVisit(path: string): URL;
  close(): Promise<void>;
}

export async function startRelyingPartyServer(): Promise<RelyingPartyServer> {
  const visits: URL[] = [];
  const logoutTokens: string[] = [];
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = createServer((request, response) => {
    const at = new URL(request.url ?? '/', origin);
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      if (request.method === 'POST' && at.pathname === '/backchannel-logout') {
        const token = new URLSearchParams(body).get('logout_token');
        if (token) logoutTokens.push(token);
        response.writeHead(200, { 'cache-control': 'no-store' }).end();
        return;
      }
      visits.push(at);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end('<!doctype html><title>Notes</title><h1>Back at the app</h1>');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin,
    visits,
    logoutTokens,
    lastVisit(path) {
      const visit = visits.findLast((url) => url.pathname === path);
      assert.ok(visit, `the browser reached ${path}`);
      return visit;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
