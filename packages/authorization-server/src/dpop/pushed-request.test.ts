import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { epochSeconds } from '@gatehouse/core';
import { storeBackends } from '@gatehouse/store/testing';
import { APP_SECRET, authorizeQuery, browserFlowConfig } from '../testing/browser-flow.js';
import { createDpopKey, type TestDpopKey } from '../testing/dpop-proof.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';
import { opaqueTokenDigest } from '../tokens/opaque-token.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;
const webApp: [string, string] = ['web-app', APP_SECRET];
const PAR_URL = `${TEST_ISSUER}/par`;

describe('DPoP at the PAR endpoint (RFC 9449 §10.1)', () => {
  let t: TestIssuer;
  let key: TestDpopKey;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), browserFlowConfig);
    key = await createDpopKey(t.clock);
  });
  after(() => t.close());

  const push = (extra: Record<string, string>, dpop?: string) =>
    t.post('/par', Object.fromEntries(new URLSearchParams(authorizeQuery(extra))), {
      basic: webApp,
      ...(dpop ? { headers: { dpop } } : {}),
    });
  const stored = async (requestUri: string) => {
    const ctx = t.issuer.context;
    const record = await ctx.store.pushedRequests.consume(
      opaqueTokenDigest(ctx, requestUri),
      'web-app',
      epochSeconds(ctx.clock),
    );
    return record?.params['dpop_jkt'];
  };

  it('binds the pushed request to the proof’s key, as dpop_jkt would', async () => {
    const res = await push({}, await key.proof({ htu: PAR_URL }));
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(await stored(res.json().request_uri), key.jkt);
  });

  it('accepts dpop_jkt and a proof by the same key, and refuses them naming different keys', async () => {
    const same = await push({ dpop_jkt: key.jkt }, await key.proof({ htu: PAR_URL }));
    assert.equal(await stored(same.json().request_uri), key.jkt);
    const other = await createDpopKey(t.clock);
    const res = await push({ dpop_jkt: other.jkt }, await key.proof({ htu: PAR_URL }));
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      error: 'invalid_dpop_proof',
      error_description: 'the DPoP proof key does not match dpop_jkt',
    });
  });

  it('keeps dpop_jkt alone, and refuses a proof for the token endpoint', async () => {
    const res = await push({ dpop_jkt: key.jkt });
    assert.equal(await stored(res.json().request_uri), key.jkt);
    const wrong = await push({}, await key.proof({ htu: `${TEST_ISSUER}/token` }));
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error, 'invalid_dpop_proof');
  });
});
