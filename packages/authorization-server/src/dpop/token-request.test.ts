import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt } from 'jose';
import {
  APP_SECRET,
  codeFlowConfig,
  codeRequest,
  type SignedIn,
  seedCode,
  signIn,
  webApp,
} from '../testing/code-grant.js';
import { approveDevice, deviceFlowConfig, pollRequest, startDevice } from '../testing/device-flow.js';
import { createDpopKey, type TestDpopKey, unsignedJwt } from '../testing/dpop-proof.js';
import { SERVICE_SECRET, startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;
const TOKEN_URL = `${TEST_ISSUER}/token`;
const service: [string, string] = ['service', SERVICE_SECRET];

const config = {
  ...codeFlowConfig,
  clients: [
    ...codeFlowConfig.clients,
    {
      client_id: 'service',
      client_secret: SERVICE_SECRET,
      grant_types: ['client_credentials'],
      scope: 'orders:read ledger:read',
    },
    {
      client_id: 'dpop-only',
      client_secret: SERVICE_SECRET,
      grant_types: ['client_credentials'],
      scope: 'orders:read',
      dpop_bound_access_tokens: true,
    },
  ],
};

function assertError(res: LightMyRequestResponse, error: string, description?: string) {
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(res.json().error, error);
  if (description !== undefined) assert.equal(res.json().error_description, description);
  assert.equal(res.headers['cache-control'], 'no-store');
}

describe('DPoP at the token endpoint (RFC 9449 §5)', () => {
  let t: TestIssuer;
  let key: TestDpopKey;
  let alice: SignedIn;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), config);
    key = await createDpopKey(t.clock);
    alice = await signIn(t);
  });
  after(() => t.close());

  const withProof = async (
    form: Record<string, string>,
    basic: [string, string] | undefined,
    proof: string,
  ) => t.post('/token', form, { ...(basic ? { basic } : {}), headers: { dpop: proof } });
  const clientCredentials = (proof: string, scope = 'orders:read', basic = service) =>
    withProof({ grant_type: 'client_credentials', scope }, basic, proof);

  it('issues a DPoP-bound JWT access token with cnf.jkt (§5, §6.1)', async () => {
    const res = await clientCredentials(await key.proof({ htu: TOKEN_URL }));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().token_type, 'DPoP');
    assert.deepEqual(decodeJwt(res.json().access_token).cnf, { jkt: key.jkt });
    assert.equal(res.headers['dpop-nonce'], undefined, 'nonces are not required by default');
  });

  it('binds an opaque access token: introspection returns cnf and token_type DPoP (§6.2)', async () => {
    const res = await clientCredentials(await key.proof({ htu: TOKEN_URL }), 'ledger:read');
    assert.equal(res.json().token_type, 'DPoP');
    const info = await t.post(
      '/introspect',
      { token: res.json().access_token },
      { basic: ['resource-server', APP_SECRET] },
    );
    assert.equal(info.json().active, true, info.body);
    assert.equal(info.json().token_type, 'DPoP');
    assert.deepEqual(info.json().cnf, { jkt: key.jkt });
  });

  it('issues Bearer tokens without a proof', async () => {
    const res = await t.post(
      '/token',
      { grant_type: 'client_credentials', scope: 'orders:read' },
      { basic: service },
    );
    assert.equal(res.json().token_type, 'Bearer');
    assert.equal(decodeJwt(res.json().access_token).cnf, undefined);
  });

  it('rejects a replayed proof with invalid_dpop_proof', async () => {
    const proof = await key.proof({ htu: TOKEN_URL });
    assert.equal((await clientCredentials(proof)).statusCode, 200);
    assertError(await clientCredentials(proof), 'invalid_dpop_proof', 'the DPoP proof is invalid');
  });

  it('rejects proofs for another URL or method, stale ones and ones with a private key', async () => {
    const now = Math.floor(t.clock() / 1000);
    const bad = [
      key.proof({ htu: `${TEST_ISSUER}/par` }),
      key.proof({ htu: 'https://attacker.test/token' }),
      key.proof({ htu: TOKEN_URL, htm: 'GET' }),
      key.proof({ htu: TOKEN_URL, iat: now - 61 }),
      key.proof({ htu: TOKEN_URL, header: { jwk: key.privateJwk } }),
      key.proof({ htu: TOKEN_URL, header: { typ: 'JWT' } }),
      Promise.resolve(
        unsignedJwt(
          { alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk },
          { jti: 'x', htm: 'POST', htu: TOKEN_URL, iat: now },
        ),
      ),
    ];
    for (const proof of bad) assertError(await clientCredentials(await proof), 'invalid_dpop_proof');
  });

  it('rejects two DPoP headers', async () => {
    const [a, b] = [await key.proof({ htu: TOKEN_URL }), await key.proof({ htu: TOKEN_URL })];
    const res = await t.issuer.app.inject({
      method: 'POST',
      url: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: [a, b] },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'service',
        client_secret: SERVICE_SECRET,
      }).toString(),
    });
    // The service client authenticates with Basic only: either way no token is issued.
    assert.equal(res.statusCode >= 400 && res.statusCode < 500, true);
    const basic = await t.issuer.app.inject({
      method: 'POST',
      url: '/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`service:${SERVICE_SECRET}`).toString('base64')}`,
        dpop: [a, b],
      },
      payload: 'grant_type=client_credentials&scope=orders%3Aread',
    });
    assertError(basic, 'invalid_dpop_proof');
  });

  it('requires a proof of a client registered with dpop_bound_access_tokens (§5.2)', async () => {
    const basic: [string, string] = ['dpop-only', SERVICE_SECRET];
    const without = await t.post('/token', { grant_type: 'client_credentials' }, { basic });
    assertError(without, 'invalid_dpop_proof', 'this client must send a DPoP proof with every token request');
    const res = await clientCredentials(await key.proof({ htu: TOKEN_URL }), 'orders:read', basic);
    assert.equal(res.json().token_type, 'DPoP');
  });

  describe('authorization codes bound with dpop_jkt (§10)', () => {
    it('redeems the code with a proof by the bound key', async () => {
      const code = await seedCode(t, alice, { dpopJkt: key.jkt });
      const res = await withProof(codeRequest(code), webApp, await key.proof({ htu: TOKEN_URL }));
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().token_type, 'DPoP');
    });

    it('refuses the code with a proof by another key, and without a proof', async () => {
      const other = await createDpopKey(t.clock);
      const code = await seedCode(t, alice, { dpopJkt: key.jkt });
      const res = await withProof(codeRequest(code), webApp, await other.proof({ htu: TOKEN_URL }));
      assertError(res, 'invalid_grant');
      const unproved = await t.post('/token', codeRequest(await seedCode(t, alice, { dpopJkt: key.jkt })), {
        basic: webApp,
      });
      assertError(unproved, 'invalid_dpop_proof');
    });
  });

  describe('refresh tokens', () => {
    const spaCode = () => seedCode(t, alice, { clientId: 'spa', scope: 'openid offline_access ledger:read' });
    const spaRequest = (code: string) => ({ ...codeRequest(code), client_id: 'spa' });
    const refresh = (refreshToken: string, clientId = 'spa') => ({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
    });

    it('binds a public client’s refresh token to the key: the same key refreshes it (§5)', async () => {
      const first = await withProof(
        spaRequest(await spaCode()),
        undefined,
        await key.proof({ htu: TOKEN_URL }),
      );
      assert.equal(first.statusCode, 200, first.body);
      const refreshed = await withProof(
        refresh(first.json().refresh_token),
        undefined,
        await key.proof({ htu: TOKEN_URL }),
      );
      assert.equal(refreshed.statusCode, 200, refreshed.body);
      assert.equal(refreshed.json().token_type, 'DPoP');
      // The rotated refresh token is bound too.
      const unproved = await t.post('/token', refresh(refreshed.json().refresh_token));
      assertError(unproved, 'invalid_dpop_proof');
    });

    it('refuses a bound refresh token without a proof, or with another key’s, and spends nothing', async () => {
      const first = await withProof(
        spaRequest(await spaCode()),
        undefined,
        await key.proof({ htu: TOKEN_URL }),
      );
      const token = first.json().refresh_token;
      assertError(await t.post('/token', refresh(token)), 'invalid_dpop_proof');
      const other = await createDpopKey(t.clock);
      assertError(
        await withProof(refresh(token), undefined, await other.proof({ htu: TOKEN_URL })),
        'invalid_grant',
        'the refresh token is invalid, expired or revoked',
      );
      // Neither attempt rotated it: the key holder still can.
      const ok = await withProof(refresh(token), undefined, await key.proof({ htu: TOKEN_URL }));
      assert.equal(ok.statusCode, 200, ok.body);
    });

    it('leaves a confidential client’s refresh token unbound (§5)', async () => {
      const code = await seedCode(t, alice, { scope: 'openid offline_access ledger:read' });
      const first = await withProof(codeRequest(code), webApp, await key.proof({ htu: TOKEN_URL }));
      assert.equal(first.json().token_type, 'DPoP');
      const res = await t.post(
        '/token',
        { grant_type: 'refresh_token', refresh_token: first.json().refresh_token },
        { basic: webApp },
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().token_type, 'Bearer');
    });
  });
});

describe('DPoP server nonces at the token endpoint (RFC 9449 §8)', () => {
  let t: TestIssuer;
  let key: TestDpopKey;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), {
      ...config,
      dpop: { require_nonce: true, nonce_lifetime: 300 },
    });
    key = await createDpopKey(t.clock);
  });
  after(() => t.close());

  const request = (proof: string) =>
    t.post(
      '/token',
      { grant_type: 'client_credentials', scope: 'orders:read' },
      { basic: service, headers: { dpop: proof } },
    );

  it('answers a proof without a nonce with use_dpop_nonce and a DPoP-Nonce, then accepts it', async () => {
    const first = await request(await key.proof({ htu: TOKEN_URL }));
    assertError(first, 'use_dpop_nonce');
    const nonce = first.headers['dpop-nonce'];
    assert.ok(typeof nonce === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(nonce), 'RFC 9449 §8.1 NQCHAR');
    const second = await request(await key.proof({ htu: TOKEN_URL, nonce }));
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(second.json().token_type, 'DPoP');
    assert.equal(typeof second.headers['dpop-nonce'], 'string', 'a fresh nonce comes with the tokens');
  });

  it('accepts a nonce of the previous period and refuses an older one', async () => {
    const nonce = (await request(await key.proof({ htu: TOKEN_URL }))).headers['dpop-nonce'] as string;
    t.clock.advance(300);
    assert.equal((await request(await key.proof({ htu: TOKEN_URL, nonce }))).statusCode, 200);
    t.clock.advance(300);
    const stale = await request(await key.proof({ htu: TOKEN_URL, nonce }));
    assertError(stale, 'use_dpop_nonce');
    assert.notEqual(stale.headers['dpop-nonce'], nonce);
  });
});

describe('DPoP with the device grant (RFC 9449 §5 for every grant)', () => {
  let t: TestIssuer;
  let key: TestDpopKey;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), deviceFlowConfig);
    key = await createDpopKey(t.clock);
  });
  after(() => t.close());

  it('binds the device grant’s access token and a public client’s refresh token to the key', async () => {
    const alice = await signIn(t);
    const { device_code } = await startDevice(t);
    await approveDevice(t, device_code, alice, ['openid', 'offline_access', 'orders:read']);
    const res = await t.post('/token', pollRequest(device_code), {
      headers: { dpop: await key.proof({ htu: TOKEN_URL }) },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().token_type, 'DPoP');
    assert.deepEqual(decodeJwt(res.json().access_token).cnf, { jkt: key.jkt });
    const refresh = {
      grant_type: 'refresh_token',
      refresh_token: res.json().refresh_token,
      client_id: 'cli',
    };
    assertError(await t.post('/token', refresh), 'invalid_dpop_proof');
    const refreshed = await t.post('/token', refresh, {
      headers: { dpop: await key.proof({ htu: TOKEN_URL }) },
    });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.equal(refreshed.json().token_type, 'DPoP');
  });
});
