/**
 * openid-client v6 against a listening issuer for the token-endpoint half of the code flow:
 * the code is put in the store as /authorize would (the browser half has its own tests), then
 * openid-client redeems it, calls UserInfo and refreshes, validating ID tokens on its own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIssuer, type Issuer, validateConfig } from '@gatehouse/authorization-server';
import { createSilentLogger } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
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
  describe(`interop: code grant, refresh and UserInfo (${backend.name})`, {
    skip: backend.skipReason,
  }, () => {
    let store: Store;
    let issuer: Issuer;
    let url: string;
    let dataDir: string;
    before(async () => {
      store = await backend.open();
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-interop-'));
      const config = validateConfig({
        ...testConfigDocument(codeFlowConfig),
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
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('redeems a code, reads UserInfo, rotates the refresh token and detects its reuse', async () => {
      const t = { issuer } as TestIssuer;
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
