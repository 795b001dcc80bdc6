import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { RS_SECRET, SERVICE_SECRET, startTestIssuer, type TestIssuer } from '../testing/harness.js';

const service: [string, string] = ['service', SERVICE_SECRET];
const resourceServer: [string, string] = ['resource-server', RS_SECRET];

for (const backend of storeBackends()) {
  describe(`POST /revoke (${backend.name})`, { skip: backend.skipReason }, () => {
    let t: TestIssuer;
    before(async () => {
      t = await startTestIssuer(await backend.open());
      // The only way to a public client: the config schema has no grant it may use.
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

    const revoke = (token: string, basic: [string, string] = service, extra = {}) =>
      t.post('/revoke', { token, ...extra }, { basic });
    const isActive = async (token: string) =>
      (await t.post('/introspect', { token }, { basic: service })).json().active as boolean;
    const opaque = () => t.issueToken({ scope: 'ledger:read' });
    const jwt = () => t.issueToken({ resource: 'https://api.test', scope: 'orders:read' });

    it('revokes an opaque token with 200 and an empty body', async () => {
      const token = await opaque();
      const res = await revoke(token);
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, '');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['pragma'], 'no-cache');
      assert.equal(await isActive(token), false);
    });

    it('answers 200 again when the same token is revoked twice', async () => {
      const token = await opaque();
      assert.equal((await revoke(token)).statusCode, 200);
      const again = await revoke(token);
      assert.equal(again.statusCode, 200);
      assert.equal(again.body, '');
      assert.equal(await isActive(token), false);
    });

    it('revokes a JWT access token so that introspection reports it inactive', async () => {
      const token = await jwt();
      assert.equal(await isActive(token), true);
      const res = await revoke(token);
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, '');
      assert.equal(await isActive(token), false);
      assert.equal((await revoke(token)).statusCode, 200);
    });

    it('revokes only the token it is given', async () => {
      const [first, second] = [await opaque(), await opaque()];
      await revoke(first);
      assert.equal(await isActive(second), true);
    });

    it('revokes whatever token_type_hint says, known or not (RFC 7009 §2.1)', async () => {
      const a = await opaque();
      const b = await jwt();
      assert.equal((await revoke(a, service, { token_type_hint: 'refresh_token' })).statusCode, 200);
      assert.equal((await revoke(b, service, { token_type_hint: 'made_up_type' })).statusCode, 200);
      assert.equal(await isActive(a), false);
      assert.equal(await isActive(b), false);
    });

    for (const [what, token] of [
      ['an unknown opaque token', `gh_at_${'A'.repeat(43)}`],
      ['garbage', 'not a token at all'],
      ['a malformed JWT', 'a.b.c'],
    ]) {
      it(`answers 200 for ${what} (RFC 7009 §2.2)`, async () => {
        const res = await revoke(token!);
        assert.equal(res.statusCode, 200);
        assert.equal(res.body, '');
      });
    }

    it('answers 200 for a token that has already expired', async () => {
      const token = await opaque();
      t.clock.advance(120);
      assert.equal((await revoke(token)).statusCode, 200);
    });

    it('refuses another client’s token with 400 unauthorized_client and leaves it active', async () => {
      const token = await opaque();
      const res = await t.post('/revoke', { token, client_id: 'poster', client_secret: SERVICE_SECRET });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json(), {
        error: 'unauthorized_client',
        error_description: 'the token was not issued to this client',
      });
      assert.equal(await isActive(token), true);
    });

    it('refuses a token to an introspection client of its resource too', async () => {
      const token = await opaque();
      const res = await revoke(token, resourceServer);
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'unauthorized_client');
      assert.equal(await isActive(token), true);
    });

    it('refuses another client’s JWT and leaves it active', async () => {
      const token = await jwt();
      const res = await revoke(token, resourceServer);
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'unauthorized_client');
      assert.equal(await isActive(token), true);
    });

    it('lets a public client call it, but not revoke a token of another client', async () => {
      assert.equal((await t.post('/revoke', { token: 'garbage', client_id: 'public-app' })).statusCode, 200);
      const token = await opaque();
      const res = await t.post('/revoke', { token, client_id: 'public-app' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'unauthorized_client');
      assert.equal(await isActive(token), true);
    });

    it('refuses a bare client_id for a client registered with a secret', async () => {
      const token = await opaque();
      const res = await t.post('/revoke', { token, client_id: 'service' });
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), {
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      assert.equal(await isActive(token), true);
    });

    it('rejects a request without token with 400 invalid_request', async () => {
      const res = await t.post('/revoke', { token_type_hint: 'access_token' }, { basic: service });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json(), {
        error: 'invalid_request',
        error_description: "missing required parameter 'token'",
      });
    });

    it('rejects a wrong secret with 401 invalid_client and leaves the token active', async () => {
      const token = await opaque();
      const res = await revoke(token, ['service', 'wrong-secret']);
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), {
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      assert.match(String(res.headers['www-authenticate']), /^Basic realm="gatehouse"/);
      assert.equal(await isActive(token), true);
    });

    it('rejects a request without client authentication with 401 invalid_client', async () => {
      const res = await t.post('/revoke', { token: await opaque() });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error, 'invalid_client');
    });

    it('answers GET with 405 and an Allow header', async () => {
      const res = await t.issuer.app.inject({ method: 'GET', url: '/revoke' });
      assert.equal(res.statusCode, 405);
      assert.equal(res.headers['allow'], 'POST');
    });
  });
}
