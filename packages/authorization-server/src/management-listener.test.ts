import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { startTestIssuer, type TestIssuer } from './testing/harness.js';

const sqlite = storeBackends().find((backend) => backend.name === 'sqlite')!;

describe('the management listener', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), { management: { port: 0 } });
  });
  after(() => t.close());

  it('serves the probes and the metrics', async () => {
    const management = t.issuer.managementApp!;
    assert.deepEqual((await management.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
    assert.deepEqual((await management.inject({ method: 'GET', url: '/readyz' })).json(), {
      status: 'ready',
    });
    const metrics = await management.inject({ method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /^# HELP gatehouse_http_requests_total/m);
    assert.equal(metrics.headers['x-content-type-options'], 'nosniff');
  });

  it('takes them off the public listener, which serves everything else', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      assert.equal((await t.issuer.app.inject({ method: 'GET', url })).statusCode, 404, url);
    }
    const discovery = await t.issuer.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    assert.equal(discovery.statusCode, 200);
  });

  it('answers nothing but the probes and the metrics', async () => {
    const token = await t.issuer.managementApp!.inject({ method: 'POST', url: '/token' });
    assert.equal(token.statusCode, 404);
    assert.equal(token.json().error, 'not_found');
  });
});
