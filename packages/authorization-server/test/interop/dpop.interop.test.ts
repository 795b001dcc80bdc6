/**
 * oauth4webapi v3's DPoP support (its `DPoP()` handle) against a listening issuer that
 * requires DPoP nonces: client credentials, the token-endpoint half of the code flow with a
 * code bound by dpop_jkt (put in the store as /authorize would), refresh with a public
 * client's key-bound refresh token, and UserInfo with a proof. The library makes every proof
 * and follows every use_dpop_nonce on its own; the test only retries once as it must.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { codeFlowConfig, REDIRECT, seedCode, signIn, VERIFIER } from '../../src/testing/code-grant.js';
import { SERVICE_SECRET, type TestIssuer, testConfigDocument } from '../../src/testing/harness.js';
import { type ListeningIssuer, startListeningIssuer } from '../../src/testing/listening-issuer.js';

/** RFC 9449 §8: a client retries once with the nonce the server just gave it. */
async function withNonceRetry<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (oauth.isDPoPNonceError(error)) return run();
    throw error;
  }
}

async function thumbprint(keyPair: oauth.CryptoKeyPair): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256');
}

const insecure = { [oauth.allowInsecureRequests]: true };

for (const backend of storeBackends()) {
  describe(`interop: oauth4webapi DPoP (${backend.name})`, { skip: backend.skipReason }, () => {
    let server: ListeningIssuer;
    let url: string;
    let as: oauth.AuthorizationServer;
    before(async () => {
      const document = testConfigDocument({
        ...codeFlowConfig,
        clients: [
          ...codeFlowConfig.clients,
          {
            client_id: 'service',
            client_secret: SERVICE_SECRET,
            scope: 'orders:read ledger:read',
            dpop_bound_access_tokens: true,
          },
        ],
        dpop: { require_nonce: true },
      });
      server = await startListeningIssuer(document, { store: await backend.open() });
      url = server.url;
      const issuerUrl = new URL(url);
      as = await oauth.processDiscoveryResponse(
        issuerUrl,
        await oauth.discoveryRequest(issuerUrl, { algorithm: 'oidc', ...insecure }),
      );
      assert.ok(as.dpop_signing_alg_values_supported?.includes('ES256'));
    });
    after(async () => {
      await server?.close();
    });

    it('gets a DPoP-bound token with client_credentials, nonce and all', async () => {
      const client: oauth.Client = { client_id: 'service' };
      const keyPair = await oauth.generateKeyPair('ES256');
      const DPoP = oauth.DPoP(client, keyPair);
      const auth = oauth.ClientSecretBasic(SERVICE_SECRET);
      const tokens = await withNonceRetry(async () =>
        oauth.processClientCredentialsResponse(
          as,
          client,
          await oauth.clientCredentialsGrantRequest(
            as,
            client,
            auth,
            { scope: 'orders:read' },
            { DPoP, ...insecure },
          ),
        ),
      );
      assert.equal(tokens.token_type, 'dpop');
      assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt: await thumbprint(keyPair) });

      // The client registered dpop_bound_access_tokens: without DPoP it gets nothing (RFC 9449 §5.2).
      await assert.rejects(
        async () =>
          oauth.processClientCredentialsResponse(
            as,
            client,
            await oauth.clientCredentialsGrantRequest(as, client, auth, { scope: 'orders:read' }, insecure),
          ),
        (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_dpop_proof',
      );
    });

    it('redeems a dpop_jkt code as a public client, reads UserInfo and refreshes with the bound refresh token', async () => {
      const t = { issuer: server.issuer } as TestIssuer;
      const alice = await signIn(t);
      const client: oauth.Client = { client_id: 'spa' };
      const keyPair = await oauth.generateKeyPair('ES256');
      const DPoP = oauth.DPoP(client, keyPair);
      const code = await seedCode(t, alice, {
        clientId: 'spa',
        scope: 'openid profile offline_access ledger:read',
        dpopJkt: await thumbprint(keyPair),
      });
      const callback = oauth.validateAuthResponse(
        as,
        client,
        new URL(`${REDIRECT}?${new URLSearchParams({ code, iss: url })}`),
        oauth.expectNoState,
      );
      const tokens = await withNonceRetry(async () =>
        oauth.processAuthorizationCodeResponse(
          as,
          client,
          await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, REDIRECT, VERIFIER, {
            DPoP,
            ...insecure,
          }),
          { expectedNonce: 'n-0S6_WzA2Mj', requireIdToken: true },
        ),
      );
      assert.equal(tokens.token_type, 'dpop');
      assert.ok(tokens.refresh_token);
      const sub = oauth.getValidatedIdTokenClaims(tokens)!.sub;
      assert.equal(sub, alice.user.id);

      const info = await withNonceRetry(async () =>
        oauth.processUserInfoResponse(
          as,
          client,
          sub,
          await oauth.userInfoRequest(as, client, tokens.access_token, { DPoP, ...insecure }),
        ),
      );
      assert.equal(info.name, 'Alice Example');

      // Another key cannot spend the bound refresh token (RFC 9449 §5)...
      const thief = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
      await assert.rejects(
        async () =>
          withNonceRetry(async () =>
            oauth.processRefreshTokenResponse(
              as,
              client,
              await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, {
                DPoP: thief,
                ...insecure,
              }),
            ),
          ),
        (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant',
      );
      // ...nor can a request without a proof.
      await assert.rejects(
        async () =>
          oauth.processRefreshTokenResponse(
            as,
            client,
            await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure),
          ),
        (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_dpop_proof',
      );
      // The key holder can.
      const refreshed = await withNonceRetry(async () =>
        oauth.processRefreshTokenResponse(
          as,
          client,
          await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, {
            DPoP,
            ...insecure,
          }),
        ),
      );
      assert.equal(refreshed.token_type, 'dpop');
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
      const again = await withNonceRetry(async () =>
        oauth.processUserInfoResponse(
          as,
          client,
          sub,
          await oauth.userInfoRequest(as, client, refreshed.access_token, { DPoP, ...insecure }),
        ),
      );
      assert.equal(again.sub, alice.user.id);
    });
  });
}
