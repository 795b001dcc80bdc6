/**
 * openid-client v6 against a listening issuer for the token-endpoint half of the code flow:
 * the code is put in the store as /authorize would (the browser half has its own tests), then
 * openid-client redeems it, calls UserInfo and refreshes, validating ID tokens on its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import * as client from 'openid-client';
import {
  APP_SECRET,
  codeFlowConfig,
  REDIRECT,
  seedCode,
  signIn,
  VERIFIER,
} from '../../src/testing/code-grant.js';
import { type TestIssuer, testConfigDocument } from '../../src/testing/harness.js';
import { type ListeningIssuer, startListeningIssuer } from '../../src/testing/listening-issuer.js';

for (const backend of storeBackends()) {
  describe(`interop: code grant, refresh and UserInfo (${backend.name})`, {
    skip: backend.skipReason,
  }, () => {
    let server: ListeningIssuer;
    let url: string;
    before(async () => {
      server = await startListeningIssuer(testConfigDocument(codeFlowConfig), {
        store: await backend.open(),
      });
      url = server.url;
    });
    after(async () => {
      await server?.close();
    });

    it('redeems a code, reads UserInfo, rotates the refresh token and detects its reuse', async () => {
      const t = { issuer: server.issuer } as TestIssuer;
      const alice = await signIn(t);
      const code = await seedCode(t, alice, { scope: 'openid profile email offline_access ledger:read' });
      const config = await client.discovery(
        new URL(url),
        'web-app',
        // No id_token_signed_response_alg: the RS256 default (OIDC Registration §2), which
        // discovery lists in id_token_signing_alg_values_supported.
        undefined,
        client.ClientSecretBasic(APP_SECRET),
        { execute: [client.allowInsecureRequests] },
      );
      assert.equal(config.serverMetadata().userinfo_endpoint, `${url}/userinfo`);

      const tokens = await client.genericGrantRequest(config, 'authorization_code', {
        code,
        redirect_uri: REDIRECT,
        code_verifier: VERIFIER,
      });
      const claims = tokens.claims();
      assert.equal(claims?.sub, alice.user.id);
      assert.equal(claims?.['nonce'], 'n-0S6_WzA2Mj');
      assert.ok(tokens.refresh_token);

      const info = await client.fetchUserInfo(config, tokens.access_token, alice.user.id);
      assert.equal(info.name, 'Alice Example');
      assert.equal(info.email, 'alice@example.test');

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
      assert.equal(refreshed.claims()?.sub, alice.user.id);

      await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (error: unknown) => {
        assert.ok(error instanceof client.ResponseBodyError);
        assert.equal(error.error, 'invalid_grant');
        return true;
      });
      await assert.rejects(
        client.refreshTokenGrant(config, refreshed.refresh_token!),
        client.ResponseBodyError,
      );
    });
  });
}
