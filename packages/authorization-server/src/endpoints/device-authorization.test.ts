import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { APP_SECRET, deviceFlowConfig, findByUserCode, kiosk, startDevice } from '../testing/device-flow.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

describe('POST /device_authorization (RFC 8628 §3.1)', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), deviceFlowConfig);
  });
  after(() => t.close());

  const assertError = (
    res: { statusCode: number; json(): unknown },
    status: number,
    error: string,
    description: string,
  ) => {
    assert.equal(res.statusCode, status);
    assert.deepEqual(res.json(), { error, error_description: description });
  };

  it('answers a public client with both codes, the verification URIs, expires_in and interval, uncached', async () => {
    const res = await t.post(
      '/device_authorization',
      { client_id: 'cli', scope: 'openid orders:read' },
      { headers: { 'user-agent': 'gatehouse-cli/1.0' } },
    );
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['pragma'], 'no-cache');
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), [
      'device_code',
      'expires_in',
      'interval',
      'user_code',
      'verification_uri',
      'verification_uri_complete',
    ]);
    assert.match(body.device_code, /^gh_dc_[A-Za-z0-9_-]{43}$/);
    assert.match(body.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(body.verification_uri, `${TEST_ISSUER}/device`);
    assert.equal(body.verification_uri_complete, `${TEST_ISSUER}/device?user_code=${body.user_code}`);
    assert.equal(body.expires_in, 600);
    assert.equal(body.interval, 5);
  });

  it('stores neither code, only their digests, with the scopes, the device and the expiry', async () => {
    const started = await startDevice(t, { client_id: 'cli', scope: 'openid orders:read' });
    const found = await findByUserCode(t, started.user_code);
    assert.notEqual(found.deviceCodeDigest, started.device_code);
    assert.ok(!JSON.stringify(found).includes(started.device_code));
    assert.ok(!JSON.stringify(found).includes(started.user_code.replace('-', '')));
    assert.equal(found.status, 'pending');
    assert.equal(found.clientId, 'cli');
    assert.deepEqual(found.scopes, ['openid', 'orders:read']);
    assert.equal(found.expiresAt - found.createdAt, 600);
    assert.equal(found.address, '127.0.0.1');
  });

  it('hands out a different pair of codes each time', async () => {
    const [a, b] = await Promise.all([startDevice(t), startDevice(t)]);
    assert.notEqual(a!.device_code, b!.device_code);
    assert.notEqual(a!.user_code, b!.user_code);
  });

  it('authenticates a confidential client as the token endpoint does', async () => {
    const started = await startDevice(t, { scope: 'orders:read' }, kiosk);
    assert.equal((await findByUserCode(t, started.user_code)).clientId, 'kiosk');
    const wrong = await t.post(
      '/device_authorization',
      { scope: 'orders:read' },
      { basic: ['kiosk', 'x'.repeat(40)] },
    );
    assertError(wrong, 401, 'invalid_client', 'client authentication failed');
    assert.match(String(wrong.headers['www-authenticate']), /^Basic /);
    // A confidential client may not pass itself off as public.
    assertError(
      await t.post('/device_authorization', { client_id: 'kiosk' }),
      401,
      'invalid_client',
      'client authentication failed',
    );
  });

  it('refuses a request without client authentication or client_id', async () => {
    assertError(
      await t.post('/device_authorization', { scope: 'orders:read' }),
      401,
      'invalid_client',
      'client authentication failed',
    );
    assertError(
      await t.post('/device_authorization', { client_id: 'nobody' }),
      401,
      'invalid_client',
      'client authentication failed',
    );
  });

  it('refuses a client not registered for the device grant with unauthorized_client', async () => {
    assertError(
      await t.post('/device_authorization', { scope: 'openid' }, { basic: ['web-app', APP_SECRET] }),
      400,
      'unauthorized_client',
      'the client may not use the device authorization grant',
    );
  });

  it('refuses a malformed scope with invalid_scope', async () => {
    assertError(
      await t.post('/device_authorization', { client_id: 'cli', scope: 'openid  orders:read' }),
      400,
      'invalid_scope',
      'scope is malformed (RFC 6749 §3.3)',
    );
    assertError(
      await t.post('/device_authorization', { client_id: 'cli', scope: 'orders:"read"' }),
      400,
      'invalid_scope',
      'scope is malformed (RFC 6749 §3.3)',
    );
  });

  it('drops scopes the client may not be granted, as the authorization endpoint does', async () => {
    const started = await startDevice(t, { scope: 'orders:read orders:write' }, kiosk);
    assert.deepEqual((await findByUserCode(t, started.user_code)).scopes, ['orders:read']);
  });

  it('refuses an unknown, malformed or second resource with invalid_target', async () => {
    assertError(
      await t.post('/device_authorization', {
        client_id: 'cli',
        scope: 'orders:read',
        resource: 'https://nowhere.test',
      }),
      400,
      'invalid_target',
      'the resource is not known to this server',
    );
    assertError(
      await t.post('/device_authorization', {
        client_id: 'cli',
        scope: 'orders:read',
        resource: 'not a uri',
      }),
      400,
      'invalid_target',
      "resource 'not a uri' is not an absolute URI",
    );
    assertError(
      await t.post('/device_authorization', {
        client_id: 'cli',
        scope: 'orders:read ledger:read',
        resource: ['https://api.test', 'https://opaque.test'],
      }),
      400,
      'invalid_target',
      'request one resource per access token',
    );
    assertError(
      await t.post('/device_authorization', { client_id: 'cli', scope: 'orders:read ledger:read' }),
      400,
      'invalid_target',
      'the scopes belong to several APIs; name one with the resource parameter (RFC 8707)',
    );
  });

  it('keeps a named resource', async () => {
    const started = await startDevice(t, {
      client_id: 'cli',
      scope: 'ledger:read',
      resource: 'https://opaque.test',
    });
    assert.deepEqual((await findByUserCode(t, started.user_code)).resources, ['https://opaque.test']);
  });

  it('refuses a repeated parameter with invalid_request', async () => {
    assertError(
      await t.post('/device_authorization', { client_id: 'cli', scope: ['openid', 'orders:read'] }),
      400,
      'invalid_request',
      "parameter 'scope' is included more than once",
    );
    assertError(
      await t.post('/device_authorization', { client_id: ['cli', 'cli'] }),
      400,
      'invalid_request',
      "parameter 'client_id' is included more than once",
    );
  });

  it('answers other methods with 405', async () => {
    const res = await t.issuer.app.inject({ method: 'GET', url: '/device_authorization' });
    assert.equal(res.statusCode, 405);
  });
});

describe('POST /device_authorization with device settings', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), {
      ...deviceFlowConfig,
      device: { code_lifetime: 900, interval: 7 },
    });
  });
  after(() => t.close());

  it('answers expires_in and interval from the configuration', async () => {
    const started = await startDevice(t);
    assert.equal(started.expires_in, 900);
    assert.equal(started.interval, 7);
    const found = await findByUserCode(t, started.user_code);
    assert.equal(found.interval, 7);
    assert.equal(found.expiresAt - found.createdAt, 900);
  });
});
