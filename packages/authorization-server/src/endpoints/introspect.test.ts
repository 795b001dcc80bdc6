import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { epochSeconds } from '@gatehouse/core';
import { storeBackends } from '@gatehouse/store/testing';
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import {
  RS_SECRET,
  SERVICE_SECRET,
  startTestIssuer,
  TEST_ISSUER,
  type TestIssuer,
} from '../testing/harness.js';

const service: [string, string] = ['service', SERVICE_SECRET];
const resourceServer: [string, string] = ['resource-server', RS_SECRET];
const INACTIVE = { active: false };

for (const backend of storeBackends()) {
  describe(`POST /introspect (${backend.name})`, { skip: backend.skipReason }, () => {
    let t: TestIssuer;
    before(async () => {
      t = await startTestIssuer(await backend.open());
      // A public client can only come from the store: the config schema allows no grant a
      // client with token_endpoint_auth_method none may use.
      await t.issuer.context.store.clients.upsert({
        clientId: 'public-app',
        secretDigest: null,
        metadata: { grant_types: [], redirect_uris: [], token_endpoint_auth_method: 'none' },
        source: 'admin',
        createdAt: 0,
        updatedAt: 0,
      });
    });
    after(() => t.close());

    const introspect = (token: string, basic: [string, string] = service, extra = {}) =>
      t.post('/introspect', { token, ...extra }, { basic });
    const opaque = () => t.issueToken({ scope: 'ledger:read' });
    const jwt = () => t.issueToken({ resource: 'https://api.test', scope: 'orders:read' });

    it('describes an active opaque token to its own client with every RFC 7662 field', async () => {
      const now = epochSeconds(t.clock);
      const res = await introspect(await opaque());
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(typeof body.jti, 'string');
      assert.deepEqual(body, {
        active: true,
        scope: 'ledger:read',
        client_id: 'service',
        token_type: 'Bearer',
        exp: now + 120,
        iat: now,
        sub: 'service',
        aud: 'https://opaque.test',
        iss: TEST_ISSUER,
        jti: body.jti,
      });
    });

    it('answers with JSON that no cache may store', async () => {
      const res = await introspect(await opaque());
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['pragma'], 'no-cache');
    });

    it('sends the same no-store headers with an inactive answer', async () => {
      const res = await introspect('gh_at_unknown');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['pragma'], 'no-cache');
    });

    it('describes a token to a client listed in the resource’s introspection_clients', async () => {
      const res = await introspect(await opaque(), resourceServer);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().active, true);
      assert.equal(res.json().client_id, 'service');
    });

    it('answers {"active":false} to a client that is neither the token’s client nor listed', async () => {
      const res = await t.post('/introspect', {
        token: await opaque(),
        client_id: 'poster',
        client_secret: SERVICE_SECRET,
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, '{"active":false}');
    });

    it('answers {"active":false} to an introspection client of another resource', async () => {
      // resource-server is listed for https://opaque.test only, not for https://api.test.
      const res = await introspect(await jwt(), resourceServer);
      assert.deepEqual(res.json(), INACTIVE);
    });

    it('reports a token active until the second it expires, then inactive', async () => {
      const token = await opaque();
      t.clock.advance(119);
      assert.equal((await introspect(token)).json().active, true);
      t.clock.advance(1);
      assert.deepEqual((await introspect(token)).json(), INACTIVE);
    });

    it('reports an expired JWT access token inactive', async () => {
      const token = await jwt();
      t.clock.advance(300);
      assert.deepEqual((await introspect(token)).json(), INACTIVE);
    });

    it('reports a revoked opaque token inactive', async () => {
      const token = await opaque();
      assert.equal((await t.post('/revoke', { token }, { basic: service })).statusCode, 200);
      assert.deepEqual((await introspect(token)).json(), INACTIVE);
    });

    it('describes a JWT access token, then reports it inactive once revoked', async () => {
      const now = epochSeconds(t.clock);
      const token = await jwt();
      const active = (await introspect(token)).json();
      assert.deepEqual(active, {
        active: true,
        scope: 'orders:read',
        client_id: 'service',
        token_type: 'Bearer',
        exp: now + 300,
        iat: now,
        sub: 'service',
        aud: 'https://api.test',
        iss: TEST_ISSUER,
        jti: active.jti,
      });
      assert.equal((await t.post('/revoke', { token }, { basic: service })).statusCode, 200);
      assert.deepEqual((await introspect(token)).json(), INACTIVE);
    });

    for (const [what, token] of [
      ['an opaque-looking token it never issued', `gh_at_${'A'.repeat(43)}`],
      ['garbage', 'not a token at all'],
      ['three dots of garbage', 'a.b.c'],
      ['a JWT with an unreadable payload', 'eyJhbGciOiJFUzI1NiJ9.%%%.AAAA'],
    ]) {
      it(`answers {"active":false} for ${what}`, async () => {
        const res = await introspect(token!);
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json(), INACTIVE);
      });
    }

    it('answers {"active":false} for a JWT with our claims and kid signed by another key', async () => {
      const genuine = await jwt();
      const { kid } = decodeProtectedHeader(genuine);
      const { privateKey } = await generateKeyPair('ES256');
      const now = epochSeconds(t.clock);
      const forged = await new SignJWT({ client_id: 'service', scope: 'orders:read' })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: kid! })
        .setIssuer(TEST_ISSUER)
        .setSubject('service')
        .setAudience('https://api.test')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .setJti('forged-jti')
        .sign(privateKey);
      assert.deepEqual((await introspect(forged)).json(), INACTIVE);
    });

    it('answers {"active":false} for an unsigned (alg none) JWT', async () => {
      const now = epochSeconds(t.clock);
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const unsigned = `${part({ alg: 'none', typ: 'at+jwt' })}.${part({
        iss: TEST_ISSUER,
        sub: 'service',
        aud: 'https://api.test',
        client_id: 'service',
        iat: now,
        exp: now + 300,
        jti: 'unsigned',
      })}.`;
      assert.deepEqual((await introspect(unsigned)).json(), INACTIVE);
    });

    it('ignores a token_type_hint it does not know (RFC 7662 §2.1)', async () => {
      const res = await introspect(await opaque(), service, { token_type_hint: 'made_up_type' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().active, true);
    });

    it('finds an access token sent with token_type_hint=refresh_token', async () => {
      const res = await introspect(await jwt(), service, { token_type_hint: 'refresh_token' });
      assert.equal(res.json().active, true);
    });

    it('rejects a request without token with 400 invalid_request', async () => {
      const res = await t.post('/introspect', { token_type_hint: 'access_token' }, { basic: service });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json(), {
        error: 'invalid_request',
        error_description: "missing required parameter 'token'",
      });
      assert.equal(res.headers['cache-control'], 'no-store');
    });

    it('rejects a request without client authentication with 401 invalid_client', async () => {
      const res = await t.post('/introspect', { token: await opaque() });
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), {
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
    });

    it('rejects a wrong client secret with 401 invalid_client and a Basic challenge', async () => {
      const res = await introspect(await opaque(), ['service', 'wrong-secret']);
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), {
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      assert.match(String(res.headers['www-authenticate']), /^Basic realm="gatehouse"/);
    });

    it('refuses a client_id without credentials for a confidential client', async () => {
      const res = await t.post('/introspect', { token: await opaque(), client_id: 'service' });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error, 'invalid_client');
    });

    it('refuses a public client with 400 unauthorized_client', async () => {
      const res = await t.post('/introspect', { token: await opaque(), client_id: 'public-app' });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json(), {
        error: 'unauthorized_client',
        error_description: 'introspection requires a confidential client',
      });
    });

    it('answers GET with 405 and an Allow header', async () => {
      const res = await t.issuer.app.inject({ method: 'GET', url: '/introspect' });
      assert.equal(res.statusCode, 405);
      assert.equal(res.headers['allow'], 'POST');
      assert.equal(res.json().error, 'invalid_request');
    });
  });
}
