/**
 * oauth4webapi v3 runs the device authorization grant (RFC 8628) with DPoP (RFC 9449) against
 * a listening issuer, once without and once with DPoP nonces required. The device
 * authorization request itself carries no proof (RFC 9449 defines none for that endpoint, and
 * oauth4webapi sends none); the device's polls, its refresh and its UserInfo calls carry the
 * proofs oauth4webapi's `DPoP()` handle makes. The person approves at the verification page
 * with plain form posts. Checked: the tokens are bound to the key (`token_type` DPoP,
 * `cnf.jkt`), UserInfo wants the proof and refuses the token as Bearer, the public client's
 * refresh token refreshes only with its key, and the nonce round trip through the library.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createIssuer, type Issuer, validateConfig } from '@gatehouse/authorization-server';
import { createManualClock, createSilentLogger, type ManualClock } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { deviceFlowConfig } from '../../src/testing/device-flow.js';
import { TEST_MASTER_KEY, testConfigDocument } from '../../src/testing/harness.js';
import { freePort } from '../../src/testing/mtls-issuer.js';
import { decideInBrowser } from './device-verification.js';

/**
 * The issuer's clock runs this far behind the real one, so the test can move it past poll
 * intervals; the client is told (oauth4webapi's clockSkew), so its proofs' `iat` and its ID
 * token checks follow the issuer's time.
 */
const BEHIND_SECONDS = 60;

async function thumbprint(keyPair: oauth.CryptoKeyPair): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256');
}

function assertOAuthError(error: unknown, code: string, status = 400): true {
  assert.ok(error instanceof oauth.ResponseBodyError, `expected a ResponseBodyError, got ${error}`);
  assert.equal(error.error, code);
  assert.equal(error.status, status);
  return true;
}

function assertChallenge(error: unknown, scheme: string, code: string): true {
  assert.ok(
    error instanceof oauth.WWWAuthenticateChallengeError,
    `expected a WWWAuthenticateChallengeError, got ${error}`,
  );
  assert.equal(error.status, 401);
  assert.ok(
    error.cause.some((c) => c.scheme === scheme && c.parameters.error === code),
    `expected a ${scheme} challenge with ${code}, got ${JSON.stringify(error.cause)}`,
  );
  return true;
}

const insecure = { [oauth.allowInsecureRequests]: true } as const;

for (const backend of storeBackends()) {
  for (const requireNonce of [false, true]) {
    const mode = requireNonce ? 'nonces required' : 'no nonces';
    describe(`interop: oauth4webapi runs the device grant with DPoP, ${mode} (${backend.name})`, {
      skip: backend.skipReason,
    }, () => {
      let store: Store;
      let issuer: Issuer;
      let url: string;
      let dataDir: string;
      let clock: ManualClock;
      let as: oauth.AuthorizationServer;
      const cli: oauth.Client = { client_id: 'cli', [oauth.clockSkew]: -BEHIND_SECONDS };
      const none = oauth.None();
      /** How often oauth4webapi's requests met use_dpop_nonce and were retried. */
      let nonceRetries = 0;

      /** RFC 9449 §8: a client retries once with the nonce the server just gave it. */
      async function withNonceRetry<T>(run: () => Promise<T>): Promise<T> {
        try {
          return await run();
        } catch (error) {
          if (!oauth.isDPoPNonceError(error)) throw error;
          nonceRetries += 1;
          return run();
        }
      }

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
          dpop: { require_nonce: requireNonce },
        });
        clock = createManualClock(Date.now() - BEHIND_SECONDS * 1000);
        issuer = await createIssuer(config, {
          store,
          clock,
          env: { GATEHOUSE_MASTER_KEY: TEST_MASTER_KEY },
          logger: createSilentLogger(),
        });
        await issuer.app.listen({ host: '127.0.0.1', port });
        const response = await oauth.discoveryRequest(new URL(url), { algorithm: 'oidc', ...insecure });
        as = await oauth.processDiscoveryResponse(new URL(url), response);
        assert.ok(as.dpop_signing_alg_values_supported?.includes('ES256'));
      });
      beforeEach(() => {
        clock.set(Date.now() - BEHIND_SECONDS * 1000);
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
      /** One poll with a proof; `raw` is the token response's JSON as the server sent it. */
      const poll = async (deviceCode: string, DPoP: oauth.DPoPHandle) => {
        const response = await oauth.deviceCodeGrantRequest(as, cli, none, deviceCode, {
          DPoP,
          ...insecure,
        });
        const raw = response.ok ? ((await response.clone().json()) as Record<string, unknown>) : {};
        return { raw, tokens: await oauth.processDeviceCodeResponse(as, cli, response) };
      };
      const refresh = async (refreshToken: string, DPoP?: oauth.DPoPHandle) =>
        oauth.processRefreshTokenResponse(
          as,
          cli,
          await oauth.refreshTokenGrantRequest(as, cli, none, refreshToken, {
            ...(DPoP ? { DPoP } : {}),
            ...insecure,
          }),
        );
      const userInfo = async (accessToken: string, sub: string, DPoP: oauth.DPoPHandle) =>
        oauth.processUserInfoResponse(
          as,
          cli,
          sub,
          await oauth.userInfoRequest(as, cli, accessToken, { DPoP, ...insecure }),
        );
      /** Moves the issuer's clock past the poll interval (RFC 8628 §3.2: 5 seconds if none). */
      const pastInterval = (device: oauth.DeviceAuthorizationResponse) =>
        clock.advance((device.interval ?? 5) + 1);
      /** A device code the person has approved at the verification page, its interval passed. */
      const approvedDevice = async (scope: string, approve: string[]) => {
        const device = await authorize(scope);
        assert.match(
          await decideInBrowser(device.verification_uri_complete!, 'approve', approve),
          /Device connected/,
        );
        pastInterval(device);
        return device;
      };

      it('binds the tokens to the polling key: token_type DPoP, cnf.jkt, UserInfo by proof only, refresh by that key only', async () => {
        nonceRetries = 0;
        const keyPair = await oauth.generateKeyPair('ES256');
        const DPoP = oauth.DPoP(cli, keyPair);
        const jkt = await thumbprint(keyPair);

        const device = await authorize('openid offline_access orders:read');
        // Polls before the approval carry proofs too and are answered as usual (RFC 8628 §3.5).
        await assert.rejects(
          withNonceRetry(() => poll(device.device_code, DPoP)),
          (e) => assertOAuthError(e, 'authorization_pending'),
        );
        const page = await decideInBrowser(device.verification_uri_complete!, 'approve', [
          'offline_access',
          'orders:read',
        ]);
        assert.match(page, /Device connected/);
        pastInterval(device);

        const { raw, tokens } = await withNonceRetry(() => poll(device.device_code, DPoP));
        // RFC 9449 §5: "token_type": "DPoP" (oauth4webapi lower-cases it).
        assert.equal(raw['token_type'], 'DPoP');
        assert.equal(tokens.token_type, 'dpop');
        assert.equal(tokens.scope, 'openid offline_access orders:read');
        // RFC 9449 §6.1: the JWT access token names the key by its RFC 7638 thumbprint.
        assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
        assert.ok(tokens.refresh_token);
        const sub = oauth.getValidatedIdTokenClaims(tokens)!.sub;
        const alice = await store.users.findByUsername('alice');
        assert.equal(sub, alice?.id);

        // RFC 9449 §7.1: UserInfo takes the DPoP scheme with a proof by the bound key...
        const info = await withNonceRetry(() => userInfo(tokens.access_token, sub, DPoP));
        assert.equal(info.sub, sub);
        const viaResource = await withNonceRetry(() =>
          oauth.protectedResourceRequest(
            tokens.access_token,
            'GET',
            new URL(as.userinfo_endpoint!),
            undefined,
            undefined,
            { DPoP, ...insecure },
          ),
        );
        assert.equal(viaResource.status, 200);
        assert.equal(((await viaResource.json()) as { sub: string }).sub, sub);
        // ...and (§7.2) refuses the same token sent as a Bearer token, with a DPoP challenge.
        await assert.rejects(
          oauth.protectedResourceRequest(
            tokens.access_token,
            'GET',
            new URL(as.userinfo_endpoint!),
            undefined,
            undefined,
            insecure,
          ),
          (e) => assertChallenge(e, 'dpop', 'invalid_token'),
        );

        // RFC 9449 §5: the public client's refresh token is bound to the key. A valid proof by
        // another key is invalid_grant (RFC 6749 §5.2), no proof at all invalid_dpop_proof.
        const thief = oauth.DPoP(cli, await oauth.generateKeyPair('ES256'));
        await assert.rejects(
          withNonceRetry(() => refresh(tokens.refresh_token!, thief)),
          (e) => assertOAuthError(e, 'invalid_grant'),
        );
        await assert.rejects(refresh(tokens.refresh_token!), (e) =>
          assertOAuthError(e, 'invalid_dpop_proof'),
        );
        // The failed attempts spent nothing: the key holder still refreshes, and stays bound.
        const refreshed = await withNonceRetry(() => refresh(tokens.refresh_token!, DPoP));
        assert.equal(refreshed.token_type, 'dpop');
        assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
        assert.deepEqual(decodeJwt(refreshed.access_token).cnf, { jkt });
        assert.equal((await withNonceRetry(() => userInfo(refreshed.access_token, sub, DPoP))).sub, sub);
        await assert.rejects(
          withNonceRetry(() => refresh(refreshed.refresh_token!, thief)),
          (e) => assertOAuthError(e, 'invalid_grant'),
        );

        // Single use (RFC 8628 §3.5): the device code is gone once redeemed, proof or not.
        pastInterval(device);
        await assert.rejects(
          withNonceRetry(() => poll(device.device_code, DPoP)),
          (e) => assertOAuthError(e, 'invalid_grant'),
        );

        // Without require_nonce no request is sent back for a nonce; with it, the library's
        // retries follow use_dpop_nonce (the first poll at least, from a handle with no nonce).
        if (requireNonce) assert.ok(nonceRetries > 0);
        else assert.equal(nonceRetries, 0);
      });

      it('refuses a replayed poll proof with invalid_dpop_proof (RFC 9449 §11.1)', async () => {
        // A proof is single use (RFC 9449 §11.1): the same proof sent twice is refused, so a
        // captured poll cannot be replayed to collect the tokens.
        const keyPair = await oauth.generateKeyPair('ES256');
        const DPoP = oauth.DPoP(cli, keyPair);
        const device = await approvedDevice('orders:read', ['orders:read']);
        let captured: Headers | undefined;
        const capture: typeof fetch = async (input, init) => {
          captured = new Headers(init?.headers);
          return fetch(input, init);
        };
        const first = await withNonceRetry(async () =>
          oauth.processDeviceCodeResponse(
            as,
            cli,
            await oauth.deviceCodeGrantRequest(as, cli, none, device.device_code, {
              DPoP,
              ...insecure,
              [oauth.customFetch]: capture,
            }),
          ),
        );
        assert.equal(first.token_type, 'dpop');
        assert.ok(captured?.get('dpop'));
        const replay = await fetch(as.token_endpoint!, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: captured!.get('dpop')! },
          body: new URLSearchParams({
            grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
            device_code: device.device_code,
            client_id: 'cli',
          }),
        });
        assert.equal(replay.status, 400);
        assert.equal(((await replay.json()) as { error: string }).error, 'invalid_dpop_proof');
      });

      if (requireNonce) {
        it('asks for a nonce with use_dpop_nonce, and oauth4webapi’s retry with it succeeds (RFC 9449 §8, §9)', async () => {
          const keyPair = await oauth.generateKeyPair('ES256');
          const device = await approvedDevice('openid orders:read', ['orders:read']);

          // A fresh handle knows no nonce: the token endpoint answers 400 use_dpop_nonce with
          // a DPoP-Nonce header, and the handle keeps that nonce for the retry.
          const DPoP = oauth.DPoP(cli, keyPair);
          const firstTry = await poll(device.device_code, DPoP).then(
            () => assert.fail('a proof without a nonce was accepted'),
            (error: unknown) => error,
          );
          assert.ok(oauth.isDPoPNonceError(firstTry));
          assertOAuthError(firstTry, 'use_dpop_nonce');
          assert.ok((firstTry as oauth.ResponseBodyError).response.headers.get('dpop-nonce'));
          // The refused proof spent no poll: the retry gets the tokens, not slow_down.
          const { tokens } = await poll(device.device_code, DPoP);
          assert.equal(tokens.token_type, 'dpop');
          const sub = oauth.getValidatedIdTokenClaims(tokens)!.sub;

          // UserInfo: another handle for the same key, again without a nonce, gets a 401
          // DPoP challenge with use_dpop_nonce, and its retry reads the claims.
          const elsewhere = oauth.DPoP(cli, keyPair);
          const refused = await userInfo(tokens.access_token, sub, elsewhere).then(
            () => assert.fail('a UserInfo proof without a nonce was accepted'),
            (error: unknown) => error,
          );
          assert.ok(oauth.isDPoPNonceError(refused));
          assertChallenge(refused, 'dpop', 'use_dpop_nonce');
          assert.equal((await userInfo(tokens.access_token, sub, elsewhere)).sub, sub);
        });
      }
    });
  }
}
