/**
 * openid-client v6 as the relying party of a logout, against a listening issuer: it finds the
 * end_session_endpoint by discovery and builds the logout URL (RP-Initiated Logout 1.0) with
 * the ID token it redeemed; the person confirms; the RP's back-channel endpoint, a real HTTP
 * server, receives the logout token and verifies it against the JWKS fetched over HTTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIssuer, type Issuer, validateConfig } from '@gatehouse/authorization-server';
import { createSilentLogger } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import {
  APP_SECRET,
  confirmationFields,
  logoutClients,
  logoutUsers,
  signInBrowser,
} from '../../src/logout/testing.js';
import { REDIRECT, seedCode, VERIFIER } from '../../src/testing/code-grant.js';
import { TEST_MASTER_KEY, type TestIssuer, testConfigDocument } from '../../src/testing/harness.js';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

for (const backend of storeBackends()) {
  describe(`interop: RP-initiated and back-channel logout with openid-client (${backend.name})`, {
    skip: backend.skipReason,
  }, () => {
    let store: Store;
    let issuer: Issuer;
    let url: string;
    let dataDir: string;
    let rp: Server;
    const logoutTokens: string[] = [];

    before(async () => {
      rp = createHttpServer((request, response) => {
        let body = '';
        request.setEncoding('utf8');
        request.on('data', (chunk: string) => {
          body += chunk;
        });
        request.on('end', () => {
          const form = new URLSearchParams(body);
          if (request.method === 'POST' && form.has('logout_token'))
            logoutTokens.push(form.get('logout_token')!);
          response.writeHead(200).end();
        });
      });
      const rpPort = await freePort();
      await new Promise<void>((resolve) => rp.listen(rpPort, '127.0.0.1', resolve));

      store = await backend.open();
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-interop-'));
      const config = validateConfig({
        ...testConfigDocument({
          clients: logoutClients({ app: `http://127.0.0.1:${rpPort}/backchannel-logout` }),
          users: logoutUsers,
        }),
        issuer: url,
        listen: { host: '127.0.0.1', port },
        data_dir: dataDir,
      });
      issuer = await createIssuer(config, {
        store,
        env: { GATEHOUSE_MASTER_KEY: TEST_MASTER_KEY },
        logger: createSilentLogger(),
      });
      await issuer.app.listen({ host: '127.0.0.1', port });
    });
    after(async () => {
      await issuer?.close();
      await store?.close();
      rp?.closeAllConnections();
      await new Promise<void>((resolve) => (rp ? rp.close(() => resolve()) : resolve()));
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('signs out through the URL openid-client builds, and the RP verifies the logout token', async () => {
      const t = { issuer } as TestIssuer;
      const alice = await signInBrowser(t);
      const code = await seedCode(t, alice, { scope: 'openid profile' });
      const config = await client.discovery(
        new URL(url),
        'web-app',
        undefined,
        client.ClientSecretBasic(APP_SECRET),
        { execute: [client.allowInsecureRequests] },
      );
      const tokens = await client.genericGrantRequest(config, 'authorization_code', {
        code,
        redirect_uri: REDIRECT,
        code_verifier: VERIFIER,
      });
      const sid = tokens.claims()?.['sid'];
      assert.equal(sid, alice.session.sid);

      const logoutUrl = client.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: 'https://app.test/bye',
        state: 'st-123',
      });
      assert.equal(`${logoutUrl.origin}${logoutUrl.pathname}`, `${url}/logout`);

      const page = await fetch(logoutUrl, { headers: { cookie: alice.cookie }, redirect: 'manual' });
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.match(html, /<strong>Web App<\/strong> asked to sign you out/);
      const csrfCookie = page.headers.getSetCookie().map((c) => c.split(';')[0]!);
      const { csrfToken, logoutId } = confirmationFields({ body: html });
      const confirmed = await fetch(`${url}/logout`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: [alice.cookie, ...csrfCookie].join('; '),
        },
        body: new URLSearchParams({ csrf_token: csrfToken, logout_id: logoutId, decision: 'logout' }),
        redirect: 'manual',
      });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.headers.get('location'), 'https://app.test/bye?state=st-123');

      await issuer.context.backchannelLogout.idle();
      assert.equal(logoutTokens.length, 1);
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload } = await jwtVerify(logoutTokens[0]!, jwks, {
        issuer: url,
        audience: 'web-app',
        typ: 'logout+jwt',
      });
      assert.equal(payload['sid'], sid);
      assert.equal(payload.sub, alice.user.id);
      assert.deepEqual(payload['events'], { 'http://schemas.openid.net/event/backchannel-logout': {} });
      assert.equal(payload['nonce'], undefined);

      // The session's (non-offline) tokens died with it.
      await assert.rejects(client.fetchUserInfo(config, tokens.access_token, alice.user.id));
    });
  });
}
