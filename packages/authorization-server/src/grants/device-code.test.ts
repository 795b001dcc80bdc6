import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { type SignedIn, signIn } from '../testing/code-grant.js';
import {
  APP_SECRET,
  approveDevice,
  DEVICE_CODE_GRANT_TYPE,
  denyDevice,
  deviceFlowConfig,
  kiosk,
  pollRequest,
  startDevice,
} from '../testing/device-flow.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

describe(`grant_type=${DEVICE_CODE_GRANT_TYPE}`, () => {
  let t: TestIssuer;
  let alice: SignedIn;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), deviceFlowConfig);
    alice = await signIn(t);
  });
  after(() => t.close());

  const poll = (deviceCode: string, clientId = 'cli') => t.post('/token', pollRequest(deviceCode, clientId));
  const assertError = (res: { statusCode: number; json(): unknown }, error: string, description: string) => {
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { error, error_description: description });
  };
  const INVALID = 'the device code is invalid or was already used';
  const PENDING = 'the user has not yet approved the request';

  it('answers authorization_pending while the person has not decided', async () => {
    const { device_code } = await startDevice(t);
    assertError(await poll(device_code), 'authorization_pending', PENDING);
    t.clock.advance(5);
    assertError(await poll(device_code), 'authorization_pending', PENDING);
  });

  it('answers slow_down to a poll within the interval and keeps the interval raised by 5 seconds', async () => {
    const { device_code } = await startDevice(t);
    assertError(await poll(device_code), 'authorization_pending', PENDING);
    t.clock.advance(4);
    assertError(await poll(device_code), 'slow_down', 'poll at most every 10 seconds');
    // The raised interval holds from the early poll on: 9 s later is still too early ...
    t.clock.advance(9);
    assertError(await poll(device_code), 'slow_down', 'poll at most every 15 seconds');
    // ... and 15 s after that is on time, and stays so.
    t.clock.advance(15);
    assertError(await poll(device_code), 'authorization_pending', PENDING);
    t.clock.advance(15);
    assertError(await poll(device_code), 'authorization_pending', PENDING);
  });

  it('issues the approved scopes, an ID token and an offline refresh token, once', async () => {
    const { device_code } = await startDevice(t);
    await approveDevice(t, device_code, alice, ['openid', 'offline_access', 'orders:read']);
    const res = await poll(device_code);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), [
      'access_token',
      'expires_in',
      'id_token',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    assert.equal(body.scope, 'openid offline_access orders:read');
    assert.equal(body.token_type, 'Bearer');
    const jwks = createLocalJWKSet((await t.issuer.app.inject({ method: 'GET', url: '/jwks' })).json());
    const id = await jwtVerify(body.id_token, jwks, {
      issuer: TEST_ISSUER,
      audience: 'cli',
      currentDate: new Date(t.clock()),
    });
    assert.equal(id.payload.sub, alice.user.id);
    assert.equal(id.payload['sid'], alice.session.sid);
    assert.equal(id.payload['auth_time'], alice.session.authTime);
    const access = await jwtVerify(body.access_token, jwks, {
      issuer: TEST_ISSUER,
      audience: 'https://api.test',
      currentDate: new Date(t.clock()),
    });
    assert.equal(access.payload['scope'], 'openid orders:read');
    assert.equal(access.payload['client_id'], 'cli');

    // Single use: the consumed device code is gone.
    assertError(await poll(device_code), 'invalid_grant', INVALID);

    // The refresh token works and survives the end of the session (offline_access).
    const refreshed = await t.post('/token', {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      client_id: 'cli',
    });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
  });

  it('issues only what was approved: no ID token without openid, no refresh token without offline_access', async () => {
    const { device_code } = await startDevice(t);
    await approveDevice(t, device_code, alice, ['orders:read']);
    const body = (await poll(device_code)).json();
    assert.equal(body.scope, 'orders:read');
    assert.equal(body.id_token, undefined);
    assert.equal(body.refresh_token, undefined);
  });

  it('issues no refresh token to a client not registered for refresh_token, even with offline_access', async () => {
    const { device_code } = await startDevice(t, { scope: 'openid offline_access orders:read' }, kiosk);
    await approveDevice(t, device_code, alice);
    const res = await t.post('/token', { grant_type: DEVICE_CODE_GRANT_TYPE, device_code }, { basic: kiosk });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().refresh_token, undefined);
  });

  it('gives tokens without offline_access only while the approving session lives', async () => {
    const bob = await signIn(t, 'bob');
    const { device_code } = await startDevice(t);
    await approveDevice(t, device_code, bob, ['openid', 'orders:read']);
    await t.issuer.context.store.sessions.end(bob.session.id, Math.floor(t.clock() / 1000), 'logout');
    assertError(await poll(device_code), 'invalid_grant', 'the approval is no longer valid');
  });

  it('issues nothing once the person has revoked the grant they approved', async () => {
    const { device_code } = await startDevice(t);
    await approveDevice(t, device_code, alice);
    const store = t.issuer.context.store;
    const grant = await store.grants.find(alice.user.id, 'cli');
    assert.ok(grant && (await store.grants.revoke(grant.id, Math.floor(t.clock() / 1000))));
    assertError(await poll(device_code), 'invalid_grant', 'the approval is no longer valid');
  });

  it('answers access_denied once the person denied, and keeps answering it', async () => {
    const { device_code } = await startDevice(t);
    await denyDevice(t, device_code, alice);
    assertError(await poll(device_code), 'access_denied', 'the user denied the request');
    t.clock.advance(5);
    assertError(await poll(device_code), 'access_denied', 'the user denied the request');
  });

  it('answers expired_token once the code has expired, whatever its state', async () => {
    const pending = await startDevice(t);
    const approved = await startDevice(t);
    await approveDevice(t, approved.device_code, alice);
    t.clock.advance(600);
    assertError(await poll(pending.device_code), 'expired_token', 'the device code has expired; start again');
    assertError(
      await poll(approved.device_code),
      'expired_token',
      'the device code has expired; start again',
    );
  });

  it('answers invalid_grant for an unknown code and for another client’s code, without spending it', async () => {
    assertError(await poll('gh_dc_nothing-like-a-real-code'), 'invalid_grant', INVALID);
    const { device_code } = await startDevice(t);
    await approveDevice(t, device_code, alice);
    const stolen = await t.post(
      '/token',
      { grant_type: DEVICE_CODE_GRANT_TYPE, device_code },
      { basic: kiosk },
    );
    assertError(stolen, 'invalid_grant', INVALID);
    assert.equal((await poll(device_code)).statusCode, 200);
  });

  it('redeems concurrent polls of an approved code exactly once', async () => {
    const { device_code } = await startDevice(t);
    await approveDevice(t, device_code, alice);
    const results = await Promise.all(Array.from({ length: 5 }, () => poll(device_code)));
    assert.equal(results.filter((r) => r.statusCode === 200).length, 1);
    for (const r of results.filter((r) => r.statusCode !== 200)) assertError(r, 'invalid_grant', INVALID);
  });

  it('requires device_code', async () => {
    assertError(
      await t.post('/token', { grant_type: DEVICE_CODE_GRANT_TYPE, client_id: 'cli' }),
      'invalid_request',
      "missing required parameter 'device_code'",
    );
  });

  it('refuses a client not registered for the grant with unauthorized_client', async () => {
    const res = await t.post(
      '/token',
      { grant_type: DEVICE_CODE_GRANT_TYPE, device_code: 'x' },
      { basic: ['web-app', APP_SECRET] },
    );
    assertError(res, 'unauthorized_client', `the client may not use grant_type '${DEVICE_CODE_GRANT_TYPE}'`);
  });
});
