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
