import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@gatehouse/core';
import { storeBackends } from '@gatehouse/store/testing';
import { validateConfig } from '../config/load.js';
import { createIssuer, type Issuer } from '../issuer.js';
import {
  basicAuthorization,
  SERVICE_SECRET,
  TEST_MASTER_KEY,
  testConfigDocument,
} from '../testing/harness.js';

describe('request logs', () => {
  let issuer: Issuer;
  let logs = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-log-'));
  before(async () => {
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        logs += chunk.toString();
        callback();
      },
    });
    const config = validateConfig({
      ...testConfigDocument({ request_logging: true, log_level: 'debug' }),
      data_dir: dataDir,
    });
    issuer = await createIssuer(config, {
      store: await storeBackends()[0]!.open(),
      logger: createLogger({ level: 'debug', destination }),
      env: { GATEHOUSE_MASTER_KEY: TEST_MASTER_KEY },
    });
  });
  after(async () => {
    await issuer.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (
    url: string,
    payload: string,
    authorization = basicAuthorization('service', SERVICE_SECRET),
  ) =>
    issuer.app.inject({
      method: 'POST',
      url: `${url}?code=in-the-query`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      payload,
    });

  it('writes one JSON line per request and never a secret, token or query string', async () => {
    const issued = await post('/token', 'grant_type=client_credentials&scope=ledger:read');
    const token = issued.json().access_token as string;
    const jwt = (await post('/token', 'grant_type=client_credentials&scope=orders:read')).json()
      .access_token as string;
    await post('/introspect', `token=${token}`);
    await post('/revoke', `token=${token}`);
    await post(
      '/token',
      'grant_type=client_credentials',
      basicAuthorization('service', 'a-wrong-secret-value'),
    );
    await post('/token', `grant_type=client_credentials&client_assertion_type=x&client_assertion=${jwt}`);

    const lines = logs
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((l) => l['msg'] === 'request');
    assert.equal(requests.length, 6);
    assert.deepEqual(Object.keys(requests[0]!).sort(), [
      'level',
      'method',
      'ms',
      'msg',
      'path',
      'reqId',
      'status',
      'time',
    ]);
    for (const secret of [SERVICE_SECRET, 'a-wrong-secret-value', token, jwt, 'in-the-query', 'Basic ']) {
      assert.ok(!logs.includes(secret), `the logs contain ${secret.slice(0, 12)}…`);
    }
    assert.ok(
      lines.some((l) => l['detail'] === 'wrong client secret'),
      'the reason for a rejection is logged',
    );
  });
});
