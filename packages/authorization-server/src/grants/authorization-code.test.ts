import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { epochSeconds } from '@gatehouse/core';
import { storeBackends } from '@gatehouse/store/testing';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import {
  codeFlowConfig,
  codeRequest,
  REDIRECT,
  type SignedIn,
  seedCode,
  signIn,
  VERIFIER,
  webApp,
} from '../testing/code-grant.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;
const INVALID_CODE = 'the authorization code is invalid, expired or was already used';

describe('grant_type=authorization_code', () => {
  let t: TestIssuer;
  let alice: SignedIn;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), codeFlowConfig);
    alice = await signIn(t);
  });
  after(() => t.close());

  const redeem = (form: Record<string, string>, basic: [string, string] | null = webApp) =>
    t.post('/token', form, basic ? { basic } : {});
  const introspect = (token: string) => t.post('/introspect', { token }, { basic: webApp });
  const assertError = (res: { statusCode: number; json(): unknown }, error: string, description: string) => {
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { error, error_description: description });
  };

  it('issues an access token, a refresh token and an ID token the RP can verify', async () => {
    const res = await redeem(codeRequest(await seedCode(t, alice)));
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
    assert.match(body.access_token, /^gh_at_/);
    assert.match(body.refresh_token, /^gh_rt_/);
    assert.equal(body.scope, 'openid profile email ledger:read');
    const jwks = (await t.issuer.app.inject({ method: 'GET', url: '/jwks' })).json();
    const { payload } = await jwtVerify(body.id_token, createLocalJWKSet(jwks), {
      issuer: TEST_ISSUER,
      audience: 'web-app',
      currentDate: new Date(t.clock()),
    });
    assert.equal(payload.sub, alice.user.id);
    assert.equal(payload['nonce'], 'n-0S6_WzA2Mj');
    assert.equal(payload['sid'], alice.session.sid);
    assert.equal(payload['auth_time'], alice.session.authTime);
    assert.deepEqual(payload['amr'], ['pwd']);
    const digest = createHash('sha256').update(body.access_token).digest();
    assert.equal(payload['at_hash'], digest.subarray(0, 16).toString('base64url'));
    const active = (await introspect(body.access_token)).json();
    assert.equal(active.active, true);
    assert.equal(active.scope, 'openid profile email ledger:read');
  });

  it('gives an access token for the UserInfo Endpoint alone when no API scope was granted', async () => {
    const code = await seedCode(t, alice, { scope: 'openid profile' });
    const body = (await redeem(codeRequest(code))).json();
    assert.equal(body.scope, 'openid profile');
    const info = (await introspect(body.access_token)).json();
    assert.equal(info.aud, `${TEST_ISSUER}/userinfo`);
  });

  it('gives no refresh token to a client not registered for refresh_token', async () => {
    const code = await seedCode(t, alice, { clientId: 'no-refresh', scope: 'openid' });
    const body = (await redeem(codeRequest(code), ['no-refresh', webApp[1]])).json();
    assert.equal(body.refresh_token, undefined);
    assert.equal(typeof body.id_token, 'string');
  });

  it('serves a public client that authenticates with none, PKCE being the proof', async () => {
    const code = await seedCode(t, alice, { clientId: 'spa', scope: 'ledger:read' });
    const res = await redeem(codeRequest(code, { client_id: 'spa' }), null);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().id_token, undefined);
  });

  it('refuses a second use of a code and revokes what the first issued', async () => {
    const code = await seedCode(t, alice);
    const first = (await redeem(codeRequest(code))).json();
    assertError(await redeem(codeRequest(code)), 'invalid_grant', INVALID_CODE);
    assert.deepEqual((await introspect(first.access_token)).json(), { active: false });
    assert.deepEqual((await introspect(first.refresh_token)).json(), { active: false });
  });

  it('refuses an unknown code', async () => {
    assertError(await redeem(codeRequest('not-a-code')), 'invalid_grant', INVALID_CODE);
  });

  it('refuses an expired code', async () => {
    const code = await seedCode(t, alice);
    t.clock.advance(61);
    assertError(await redeem(codeRequest(code)), 'invalid_grant', INVALID_CODE);
  });

  it('refuses a code issued to another client', async () => {
    const code = await seedCode(t, alice, { clientId: 'spa' });
    assertError(await redeem(codeRequest(code)), 'invalid_grant', INVALID_CODE);
  });

  it('requires the code_verifier', async () => {
    const code = await seedCode(t, alice);
    const { code_verifier: _, ...form } = codeRequest(code);
    assertError(await redeem(form), 'invalid_request', "missing required parameter 'code_verifier'");
  });

  it('refuses a code_verifier that does not match the challenge', async () => {
    const code = await seedCode(t, alice);
    const wrong = codeRequest(code, { code_verifier: `${VERIFIER.slice(0, -1)}X` });
    assertError(await redeem(wrong), 'invalid_grant', 'code_verifier does not match the code_challenge');
  });

  it('refuses a redirect_uri other than the authorization request’s', async () => {
    const code = await seedCode(t, alice);
    assertError(
      await redeem(codeRequest(code, { redirect_uri: `${REDIRECT}/x` })),
      'invalid_grant',
      'redirect_uri does not match the authorization request',
    );
  });

  it('accepts an omitted redirect_uri only from a client with a single one', async () => {
    const { redirect_uri: _, ...form } = codeRequest(await seedCode(t, alice));
    assert.equal((await redeem(form)).statusCode, 200);
    const spaCode = await seedCode(t, alice, { clientId: 'spa', scope: 'ledger:read' });
    const { redirect_uri: __, ...spaForm } = codeRequest(spaCode, { client_id: 'spa' });
    assertError(await redeem(spaForm, null), 'invalid_request', "missing required parameter 'redirect_uri'");
  });

  it('refuses a code bound to a DPoP key (RFC 9449 §10) when no proof comes with it', async () => {
    const code = await seedCode(t, alice, { dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
    assertError(
      await redeem(codeRequest(code)),
      'invalid_dpop_proof',
      'a DPoP proof is required: the code is bound to a DPoP key',
    );
  });

  it('issues nothing for a user disabled since the code was issued', async () => {
    const ctx = t.issuer.context;
    const bob = await ctx.store.users.findByUsername('alice');
    const code = await seedCode(t, alice);
    await ctx.store.users.setStatus(bob!.id, 'disabled', 0);
    try {
      assertError(await redeem(codeRequest(code)), 'invalid_grant', 'the grant is invalid');
    } finally {
      await ctx.store.users.setStatus(bob!.id, 'active', 0);
    }
  });

  /** A live consent grant of alice to the web app, as the consent page stores it. */
  const seedGrant = async (scopes: string[]) => {
    const now = epochSeconds(t.clock);
    return t.issuer.context.store.grants.upsert({
      id: `grant-${randomUUID()}`,
      userId: alice.user.id,
      clientId: 'web-app',
      scopes,
      resources: [],
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
    });
  };

  it('deny-lists the JWT access token the first use issued when a code is reused', async () => {
    const code = await seedCode(t, alice, { scope: 'openid orders:read' });
    const first = (await redeem(codeRequest(code))).json();
    assert.equal(first.access_token.split('.').length, 3, 'orders:read is a JWT API');
    assert.equal((await introspect(first.access_token)).json().active, true);
    assertError(await redeem(codeRequest(code)), 'invalid_grant', INVALID_CODE);
    // RFC 6749 §4.1.2 / RFC 9700 §4.14.2: what the first redemption issued is dead.
    assert.deepEqual((await introspect(first.access_token)).json(), { active: false });
    assert.deepEqual((await introspect(first.refresh_token)).json(), { active: false });
    const { jti } = decodeJwt(first.access_token);
    assert.equal(await t.issuer.context.store.revokedJwts.has(jti!), true);
  });

  it('refuses a code whose consent grant was revoked after it was issued', async () => {
    const grant = await seedGrant(['openid', 'orders:read']);
    const code = await seedCode(t, alice, { scope: 'openid orders:read', grantId: grant.id });
    await t.issuer.context.store.grants.revoke(grant.id, epochSeconds(t.clock));
    assertError(await redeem(codeRequest(code)), 'invalid_grant', INVALID_CODE);
  });

  it('redeems a code whose consent grant is live, and binds its tokens to that grant', async () => {
    const grant = await seedGrant(['openid', 'orders:read']);
    const code = await seedCode(t, alice, { scope: 'openid orders:read', grantId: grant.id });
    const res = await redeem(codeRequest(code));
    assert.equal(res.statusCode, 200, res.body);
    const { access_token, refresh_token } = res.json();
    // Revoking the grant (the account page) kills both, the JWT through the deny-list.
    await t.issuer.context.store.tokens.revokeByGrant(grant.id, epochSeconds(t.clock));
    assert.deepEqual((await introspect(access_token)).json(), { active: false });
    assert.deepEqual((await introspect(refresh_token)).json(), { active: false });
  });
});
