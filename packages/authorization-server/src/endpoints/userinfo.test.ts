import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import type { LightMyRequestResponse } from 'fastify';
import { endSession } from '../sessions/session-service.js';
import {
  codeFlowConfig,
  codeRequest,
  type SignedIn,
  seedCode,
  signIn,
  webApp,
} from '../testing/code-grant.js';
import { createDpopKey, type TestDpopKey } from '../testing/dpop-proof.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;
const DPOP_ALGS = 'algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA Ed25519"';
const INVALID = `Bearer error="invalid_token", error_description="the access token is not valid", DPoP ${DPOP_ALGS}`;

describe('GET and POST /userinfo (OIDC Core §5.3)', () => {
  let t: TestIssuer;
  let alice: SignedIn;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), codeFlowConfig);
    alice = await signIn(t);
  });
  after(() => t.close());

  async function tokens(scope = 'openid profile email ledger:read', who = alice) {
    const res = await t.post('/token', codeRequest(await seedCode(t, who, { scope })), { basic: webApp });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { access_token: string; refresh_token: string };
  }
  const get = (authorization?: string) =>
    t.issuer.app.inject({
      method: 'GET',
      url: '/userinfo',
      headers: authorization ? { authorization } : {},
    });
  const assertChallenge = (res: LightMyRequestResponse, status: number, error: string, header: string) => {
    assert.equal(res.statusCode, status);
    assert.equal(res.headers['www-authenticate'], header);
    assert.equal(res.json().error, error);
    assert.equal(res.headers['cache-control'], 'no-store');
  };

  it('answers GET with the claims of the token’s scopes', async () => {
    const res = await get(`Bearer ${(await tokens()).access_token}`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.equal(body.sub, alice.user.id);
    assert.equal(body.name, 'Alice Example');
    assert.equal(body.email, 'alice@example.test');
  });

  it('returns only sub and the scopes’ claims', async () => {
    const res = await get(`bearer ${(await tokens('openid')).access_token}`);
    assert.deepEqual(res.json(), { sub: alice.user.id });
  });

  it('answers POST with the token in the form body or in the header', async () => {
    const { access_token } = await tokens();
    const form = await t.post('/userinfo', { access_token });
    assert.equal(form.statusCode, 200);
    assert.equal(form.json().sub, alice.user.id);
    const header = await t.issuer.app.inject({
      method: 'POST',
      url: '/userinfo',
      headers: { authorization: `Bearer ${access_token}` },
    });
    assert.equal(header.json().sub, alice.user.id);
  });

  it('challenges a request without a token, with no error code in the header', async () => {
    assertChallenge(await get(), 401, 'invalid_token', `Bearer, DPoP ${DPOP_ALGS}`);
  });

  it('refuses a token sent both in the header and in the body', async () => {
    const { access_token } = await tokens();
    const res = await t.post(
      '/userinfo',
      { access_token },
      { headers: { authorization: `Bearer ${access_token}` } },
    );
    assertChallenge(
      res,
      400,
      'invalid_request',
      'Bearer error="invalid_request", error_description="send the access token in one place only"',
    );
  });

  it('refuses an Authorization header of another scheme', async () => {
    assertChallenge(
      await get('Basic d2ViLWFwcDp4'),
      400,
      'invalid_request',
      'Bearer error="invalid_request", error_description="the Authorization header must be Bearer <token> or DPoP <token>"',
    );
  });

  it('refuses an unknown token, a refresh token and a revoked token as invalid_token', async () => {
    assertChallenge(await get('Bearer gh_at_nope'), 401, 'invalid_token', INVALID);
    const who = await signIn(t);
    const issued = await tokens(undefined, who);
    assertChallenge(await get(`Bearer ${issued.refresh_token}`), 401, 'invalid_token', INVALID);
    await endSession(t.issuer.context, who.session.id, 'logout');
    assertChallenge(await get(`Bearer ${issued.access_token}`), 401, 'invalid_token', INVALID);
  });

  it('refuses a token without the openid scope as insufficient_scope', async () => {
    assertChallenge(
      await get(`Bearer ${(await tokens('ledger:read')).access_token}`),
      403,
      'insufficient_scope',
      'Bearer error="insufficient_scope", error_description="the access token was not issued with the openid scope", scope="openid"',
    );
  });

  it('refuses the token of a user disabled since', async () => {
    const { access_token } = await tokens();
    const users = t.issuer.context.store.users;
    await users.setStatus(alice.user.id, 'disabled', 0);
    try {
      assertChallenge(await get(`Bearer ${access_token}`), 401, 'invalid_token', INVALID);
    } finally {
      await users.setStatus(alice.user.id, 'active', 0);
    }
  });

  it('is announced in discovery', async () => {
    const res = await t.issuer.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    assert.equal(res.json().userinfo_endpoint, `${TEST_ISSUER}/userinfo`);
  });
});

describe('/userinfo with DPoP-bound tokens (RFC 9449 §7)', () => {
  const USERINFO = `${TEST_ISSUER}/userinfo`;
  const DPOP_INVALID = `DPoP error="invalid_dpop_proof", error_description="the DPoP proof is invalid", ${DPOP_ALGS}`;
  let t: TestIssuer;
  let alice: SignedIn;
  let key: TestDpopKey;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), codeFlowConfig);
    alice = await signIn(t);
    key = await createDpopKey(t.clock);
  });
  after(() => t.close());

  async function boundToken(): Promise<string> {
    const proof = await key.proof({ htu: `${TEST_ISSUER}/token` });
    const res = await t.post('/token', codeRequest(await seedCode(t, alice, { scope: 'openid profile' })), {
      basic: webApp,
      headers: { dpop: proof },
    });
    assert.equal(res.json().token_type, 'DPoP', res.body);
    return res.json().access_token;
  }
  const get = (headers: Record<string, string>) =>
    t.issuer.app.inject({ method: 'GET', url: '/userinfo', headers });
  const assert401 = (res: LightMyRequestResponse, error: string, header?: string) => {
    assert.equal(res.statusCode, 401, res.body);
    assert.equal(res.json().error, error);
    if (header !== undefined) assert.equal(res.headers['www-authenticate'], header);
  };

  it('answers the DPoP scheme with a proof by the token’s key, ath and all', async () => {
    const token = await boundToken();
    const dpop = await key.proof({ htm: 'GET', htu: USERINFO, accessToken: token });
    const res = await get({ authorization: `DPoP ${token}`, dpop });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().name, 'Alice Example');
  });

  it('refuses a DPoP-bound token sent as a Bearer token (§7.2)', async () => {
    const token = await boundToken();
    assert401(
      await get({ authorization: `Bearer ${token}` }),
      'invalid_token',
      `DPoP error="invalid_token", error_description="the access token is not valid", ${DPOP_ALGS}`,
    );
  });

  it('refuses the bound token without its proof, with another key’s proof, or a wrong ath', async () => {
    const token = await boundToken();
    assert401(
      await get({ authorization: `DPoP ${token}` }),
      'invalid_dpop_proof',
      `DPoP error="invalid_dpop_proof", error_description="a DPoP proof is required with a DPoP-bound access token", ${DPOP_ALGS}`,
    );
    const other = await createDpopKey(t.clock);
    const foreign = await other.proof({ htm: 'GET', htu: USERINFO, accessToken: token });
    assert401(
      await get({ authorization: `DPoP ${token}`, dpop: foreign }),
      'invalid_dpop_proof',
      DPOP_INVALID,
    );
    const wrongAth = await key.proof({ htm: 'GET', htu: USERINFO, accessToken: 'another-token' });
    assert401(
      await get({ authorization: `DPoP ${token}`, dpop: wrongAth }),
      'invalid_dpop_proof',
      DPOP_INVALID,
    );
  });

  it('refuses a replayed proof, a proof for another method and one for the token endpoint', async () => {
    const token = await boundToken();
    const dpop = await key.proof({ htm: 'GET', htu: USERINFO, accessToken: token });
    assert.equal((await get({ authorization: `DPoP ${token}`, dpop })).statusCode, 200);
    assert401(await get({ authorization: `DPoP ${token}`, dpop }), 'invalid_dpop_proof', DPOP_INVALID);
    const post = await key.proof({ htm: 'POST', htu: USERINFO, accessToken: token });
    assert401(await get({ authorization: `DPoP ${token}`, dpop: post }), 'invalid_dpop_proof', DPOP_INVALID);
    const tokenUrl = await key.proof({ htm: 'GET', htu: `${TEST_ISSUER}/token`, accessToken: token });
    assert401(
      await get({ authorization: `DPoP ${token}`, dpop: tokenUrl }),
      'invalid_dpop_proof',
      DPOP_INVALID,
    );
  });

  it('refuses a Bearer token sent with the DPoP scheme', async () => {
    const res = await t.post('/token', codeRequest(await seedCode(t, alice, { scope: 'openid' })), {
      basic: webApp,
    });
    const token = res.json().access_token;
    const dpop = await key.proof({ htm: 'GET', htu: USERINFO, accessToken: token });
    assert401(await get({ authorization: `DPoP ${token}`, dpop }), 'invalid_token');
  });
});

describe('/userinfo with DPoP nonces required (RFC 9449 §9)', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), { ...codeFlowConfig, dpop: { require_nonce: true } });
  });
  after(() => t.close());

  it('answers a proof without a nonce with 401 use_dpop_nonce and a DPoP-Nonce header', async () => {
    const alice = await signIn(t);
    const key = await createDpopKey(t.clock);
    const tokenUrl = `${TEST_ISSUER}/token`;
    const code = codeRequest(await seedCode(t, alice, { scope: 'openid' }));
    const first = await t.post('/token', code, {
      basic: webApp,
      headers: { dpop: await key.proof({ htu: tokenUrl }) },
    });
    const nonce = first.headers['dpop-nonce'] as string;
    const issued = await t.post('/token', code, {
      basic: webApp,
      headers: { dpop: await key.proof({ htu: tokenUrl, nonce }) },
    });
    const token = issued.json().access_token;
    const dpop = await key.proof({ htm: 'GET', htu: `${TEST_ISSUER}/userinfo`, accessToken: token });
    const res = await t.issuer.app.inject({
      method: 'GET',
      url: '/userinfo',
      headers: { authorization: `DPoP ${token}`, dpop },
    });
    assert.equal(res.statusCode, 401);
    assert.match(res.headers['www-authenticate'] as string, /^DPoP error="use_dpop_nonce"/);
    assert.equal(typeof res.headers['dpop-nonce'], 'string');
    const retry = await key.proof({
      htm: 'GET',
      htu: `${TEST_ISSUER}/userinfo`,
      accessToken: token,
      nonce: res.headers['dpop-nonce'] as string,
    });
    const ok = await t.issuer.app.inject({
      method: 'GET',
      url: '/userinfo',
      headers: { authorization: `DPoP ${token}`, dpop: retry },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(typeof ok.headers['dpop-nonce'], 'string', 'the next nonce comes with the answer');
  });
});
