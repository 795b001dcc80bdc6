/**
 * openid-client v6 as the relying party of a logout, against a listening issuer: it finds the
 * end_session_endpoint by discovery and builds the logout URL (RP-Initiated Logout 1.0) with
 * the ID token it redeemed; the person confirms; the RP's back-channel endpoint, a real HTTP
 * server, receives the logout token and verifies it against the JWKS fetched over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
import { type TestIssuer, testConfigDocument } from '../../src/testing/harness.js';
import { type ListeningIssuer, startListeningIssuer } from '../../src/testing/listening-issuer.js';
import { type RelyingPartyServer, startRelyingPartyServer } from '../../src/testing/relying-party-server.js';

for (const backend of storeBackends()) {
  describe(`interop: RP-initiated and back-channel logout with openid-client (${backend.name})`, {
    skip: backend.skipReason,
  }, () => {
    let server: ListeningIssuer;
    let url: string;
    let rp: RelyingPartyServer;

    before(async () => {
      rp = await startRelyingPartyServer();
      server = await startListeningIssuer(
        testConfigDocument({
          clients: logoutClients({ app: `${rp.origin}/backchannel-logout` }),
          users: logoutUsers,
        }),
        { store: await backend.open() },
      );
      url = server.url;
    });
    after(async () => {
      await server?.close();
      await rp?.close();
    });

    it('signs out through the URL openid-client builds, and the RP verifies the logout token', async () => {
      const t = { issuer: server.issuer } as TestIssuer;
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

      await server.issuer.context.backchannelLogout.idle();
      assert.equal(rp.logoutTokens.length, 1);
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload } = await jwtVerify(rp.logoutTokens[0]!, jwks, {
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
