/**
 * oauth4webapi v3 (a third-party client) runs the device authorization grant (RFC 8628)
 * against a listening issuer: device authorization, polling, and the token response with its
 * ID token validated by oauth4webapi. The person's part, at the verification page, is done
 * with plain HTTP form posts and a cookie jar, as a browser without JavaScript would. Every
 * error a device can meet is checked as oauth4webapi reports it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIssuer, type Issuer, validateConfig } from '@gatehouse/authorization-server';
import { createManualClock, createSilentLogger, type ManualClock } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import * as oauth from 'oauth4webapi';
import { APP_SECRET, deviceFlowConfig } from '../../src/testing/device-flow.js';
import { TEST_MASTER_KEY, testConfigDocument } from '../../src/testing/harness.js';
import { freePort } from '../../src/testing/mtls-issuer.js';
import { decideInBrowser } from './device-verification.js';

function assertOAuthError(error: unknown, code: string, status = 400): true {
  assert.ok(error instanceof oauth.ResponseBodyError, `expected a ResponseBodyError, got ${error}`);
  assert.equal(error.error, code);
  assert.equal(error.status, status);
  return true;
}

for (const backend of storeBackends()) {
  describe(`interop: oauth4webapi runs the device grant (${backend.name})`, {
    skip: backend.skipReason,
  }, () => {
    let store: Store;
    let issuer: Issuer;
    let url: string;
    let dataDir: string;
    let clock: ManualClock;
    let as: oauth.AuthorizationServer;
    const insecure = { [oauth.allowInsecureRequests]: true } as const;
    // No id_token_signed_response_alg: Gatehouse and oauth4webapi both default to RS256.
    const cli: oauth.Client = { client_id: 'cli' };
    const none = oauth.None();

    before(async () => {
      store = await backend.open();
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-interop-'));
      const config = validateConfig({
        ...testConfigDocument(deviceFlowConfig),
        issuer: url,
        listen: { host: '127.0.0.1', port },
        data_dir: dataDir,
      });
      // A minute behind the real time, so the test can move it forward past poll intervals and
      // oauth4webapi, which judges ID tokens by the real time, still sees them as issued.
      clock = createManualClock(Date.now() - 60_000);
      issuer = await createIssuer(config, {
        store,
        clock,
        env: { GATEHOUSE_MASTER_KEY: TEST_MASTER_KEY },
        logger: createSilentLogger(),
      });
      await issuer.app.listen({ host: '127.0.0.1', port });
      const response = await oauth.discoveryRequest(new URL(url), { algorithm: 'oauth2', ...insecure });
      as = await oauth.processDiscoveryResponse(new URL(url), response);
    });
    after(async () => {
      await issuer?.close();
      await store?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const authorize = async (scope: string) =>
      oauth.processDeviceAuthorizationResponse(
        as,
        cli,
        await oauth.deviceAuthorizationRequest(as, cli, none, { scope }, insecure),
      );
    const poll = async (deviceCode: string) =>
      oauth.processDeviceCodeResponse(
        as,
        cli,
        await oauth.deviceCodeGrantRequest(as, cli, none, deviceCode, insecure),
      );

    it('finds the device authorization endpoint and the grant in discovery', () => {
      assert.equal(as.device_authorization_endpoint, `${url}/device_authorization`);
      assert.ok(as.grant_types_supported?.includes('urn:ietf:params:oauth:grant-type:device_code'));
    });

    it('runs to completion: pending, slow_down, approval in the browser, tokens, refresh, single use', async () => {
      const device = await authorize('openid offline_access orders:read');
      assert.match(device.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      assert.equal(device.verification_uri, `${url}/device`);
      assert.equal(device.verification_uri_complete, `${url}/device?user_code=${device.user_code}`);
      assert.equal(device.expires_in, 600);
      assert.equal(device.interval, 5);

      await assert.rejects(poll(device.device_code), (e) => assertOAuthError(e, 'authorization_pending'));
      await assert.rejects(poll(device.device_code), (e) => assertOAuthError(e, 'slow_down'));

      const page = await decideInBrowser(device.verification_uri_complete!, 'approve', [
        'offline_access',
        'orders:read',
      ]);
      assert.match(page, /Device connected/);

      clock.advance(10);
      const tokens = await poll(device.device_code);
      assert.equal(tokens.token_type, 'bearer');
      assert.equal(tokens.scope, 'openid offline_access orders:read');
      assert.ok(tokens.refresh_token);
      const claims = oauth.getValidatedIdTokenClaims(tokens);
      assert.equal(claims?.aud, 'cli');
      assert.equal(claims?.iss, url);
      const alice = await store.users.findByUsername('alice');
      assert.equal(claims?.sub, alice?.id);

      // RFC 9068: the access token is for the Orders API.
      const request = new Request('https://api.test/orders', {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      const access = await oauth.validateJwtAccessToken(as, request, 'https://api.test', insecure);
      assert.equal(access.scope, 'openid orders:read');

      // The refresh token is the public client's to rotate.
      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        cli,
        await oauth.refreshTokenGrantRequest(as, cli, none, tokens.refresh_token!, insecure),
      );
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);

      // Single use: the device code is gone once redeemed.
      clock.advance(10);
      await assert.rejects(poll(device.device_code), (e) => assertOAuthError(e, 'invalid_grant'));
    });

    it('gets access_denied when the person denies', async () => {
      const device = await authorize('openid orders:read');
      assert.match(await decideInBrowser(device.verification_uri_complete!, 'deny', []), /Request denied/);
      await assert.rejects(poll(device.device_code), (e) => assertOAuthError(e, 'access_denied'));
    });

    it('gets expired_token once the code has expired', async () => {
      const device = await authorize('orders:read');
      clock.advance(device.expires_in);
      await assert.rejects(poll(device.device_code), (e) => assertOAuthError(e, 'expired_token'));
      // Back to (nearly) real time for the tests after this one.
      clock.set(Date.now() - 60_000);
    });

    it('gets invalid_grant for an unknown device code and for another client’s', async () => {
      await assert.rejects(poll('gh_dc_not-a-code'), (e) => assertOAuthError(e, 'invalid_grant'));
      const device = await authorize('orders:read');
      const kiosk: oauth.Client = { client_id: 'kiosk' };
      const stolen = oauth.processDeviceCodeResponse(
        as,
        kiosk,
        await oauth.deviceCodeGrantRequest(
          as,
          kiosk,
          oauth.ClientSecretBasic(APP_SECRET),
          device.device_code,
          insecure,
        ),
      );
      await assert.rejects(stolen, (e) => assertOAuthError(e, 'invalid_grant'));
    });

    it('gets the RFC error for each bad device authorization request', async () => {
      const request = (client: oauth.Client, auth: oauth.ClientAuth, parameters: Record<string, string>) =>
        oauth
          .deviceAuthorizationRequest(as, client, auth, parameters, insecure)
          .then((response) => oauth.processDeviceAuthorizationResponse(as, client, response));
      await assert.rejects(request({ client_id: 'nobody' }, none, { scope: 'orders:read' }), (e) =>
        assertOAuthError(e, 'invalid_client', 401),
      );
      await assert.rejects(
        request({ client_id: 'web-app' }, oauth.ClientSecretBasic(APP_SECRET), { scope: 'openid' }),
        (e) => assertOAuthError(e, 'unauthorized_client'),
      );
      await assert.rejects(request(cli, none, { scope: 'openid  orders:read' }), (e) =>
        assertOAuthError(e, 'invalid_scope'),
      );
      await assert.rejects(
        request(cli, none, { scope: 'orders:read', resource: 'https://elsewhere.test' }),
        (e) => assertOAuthError(e, 'invalid_target'),
      );
    });
  });
}
