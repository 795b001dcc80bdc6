import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  RS_SECRET,
  SERVICE_SECRET,
  startTestIssuer,
  TEST_ISSUER,
  type TestIssuer,
} from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;
const service: [string, string] = ['service', SERVICE_SECRET];

describe('POST /token grant_type=client_credentials', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open());
  });
  after(() => t.close());

  it('issues an RFC 9068 JWT access token for a jwt resource', async () => {
    const res = await t.post(
      '/token',
      { grant_type: 'client_credentials', resource: 'https://api.test', scope: 'orders:read' },
      { basic: service },
    );
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['pragma'], 'no-cache');
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 300);
    assert.equal(body.scope, 'orders:read');
    assert.equal(decodeProtectedHeader(body.access_token).typ, 'at+jwt');
    const jwks = (await t.issuer.app.inject({ method: 'GET', url: '/jwks' })).json();
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
      issuer: TEST_ISSUER,
      audience: 'https://api.test',
      typ: 'at+jwt',
      currentDate: new Date(t.clock()),
    });
    assert.equal(payload.sub, 'service');
    assert.equal(payload['client_id'], 'service');
    assert.equal(payload['scope'], 'orders:read');
    assert.equal(payload.exp! - payload.iat!, 300);
    assert.equal(typeof payload.jti, 'string');
  });

  it('issues an opaque token for an opaque resource and stores only its digest', async () => {
    const res = await t.post(
      '/token',
      { grant_type: 'client_credentials', scope: 'ledger:read' },
      { basic: service },
    );
    assert.equal(res.statusCode, 200);
    const { access_token, expires_in, scope } = res.json();
    assert.match(access_token, /^gh_at_[0-9a-f]{12}[A-Za-z0-9_-]{43}$/);
    assert.equal(expires_in, 120);
    assert.equal(scope, 'ledger:read');
    const stored = await t.issuer.context.store.tokens.findByDigest(access_token);
    assert.equal(stored, undefined, 'the token itself is not a key in the store');
  });

  it('grants the client’s allowed scopes of the resource when no scope is requested', async () => {
    const res = await t.post(
      '/token',
      { grant_type: 'client_credentials', resource: 'https://api.test' },
      { basic: service },
    );
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().scope, 'orders:read orders:write');
  });

  it('accepts client_secret_post for a client registered with it', async () => {
    const res = await t.post('/token', {
      grant_type: 'client_credentials',
      client_id: 'poster',
      client_secret: SERVICE_SECRET,
      scope: 'orders:read',
    });
    assert.equal(res.statusCode, 200);
  });

  it('refuses a token for a resource of which the client may have no scope', async () => {
    const res = await t.post(
      '/token',
      { grant_type: 'client_credentials', resource: 'https://api.test' },
      { basic: ['resource-server', RS_SECRET] },
    );
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      error: 'invalid_scope',
      error_description: 'the client may not be granted any scope of this resource',
    });
  });

  const rejects: [string, Record<string, string | string[]>, string, number][] = [
    [
      'a scope the client may not have',
      { scope: 'orders:delete', resource: 'https://api.test' },
      'invalid_scope',
      400,
    ],
    ['a malformed scope', { scope: 'orders:read\\x', resource: 'https://api.test' }, 'invalid_scope', 400],
    [
      'a scope the resource does not define',
      { scope: 'ledger:read', resource: 'https://api.test' },
      'invalid_scope',
      400,
    ],
    ['an unknown resource', { resource: 'https://elsewhere.test' }, 'invalid_target', 400],
    ['a resource with a fragment', { resource: 'https://api.test#x' }, 'invalid_target', 400],
    ['a relative resource', { resource: '/api' }, 'invalid_target', 400],
    ['two resources', { resource: ['https://api.test', 'https://opaque.test'] }, 'invalid_target', 400],
    [
      'scopes of two resources without a resource',
      { scope: 'orders:read ledger:read' },
      'invalid_target',
      400,
    ],
  ];
  for (const [what, form, error, status] of rejects) {
    it(`rejects ${what} with ${error}`, async () => {
      const res = await t.post('/token', { grant_type: 'client_credentials', ...form }, { basic: service });
      assert.equal(res.statusCode, status);
      assert.equal(res.json().error, error);
      assert.equal(res.headers['cache-control'], 'no-store');
    });
  }
});

describe('POST /token client authentication', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open());
  });
  after(() => t.close());

  const form = { grant_type: 'client_credentials', resource: 'https://api.test' };

  it('answers a wrong Basic secret with 401 invalid_client and a Basic challenge', async () => {
    const res = await t.post('/token', form, { basic: ['service', 'wrong-secret'] });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), {
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
    assert.match(String(res.headers['www-authenticate']), /^Basic realm="gatehouse"/);
  });

  it('answers an unknown client exactly like a wrong secret', async () => {
    const res = await t.post('/token', form, { basic: ['nobody', SERVICE_SECRET] });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), {
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it('answers a wrong client_secret_post secret with 401 and no Basic challenge', async () => {
    const res = await t.post('/token', { ...form, client_id: 'poster', client_secret: 'nope-nope-nope' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error, 'invalid_client');
    assert.equal(res.headers['www-authenticate'], undefined);
  });

  it('refuses a method other than the one the client registered', async () => {
    const res = await t.post('/token', form, { basic: ['poster', SERVICE_SECRET] });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error, 'invalid_client');
  });

  it('refuses a request without client authentication', async () => {
    const res = await t.post('/token', form);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error, 'invalid_client');
  });

  it('refuses a public client (client_id only) for client_credentials', async () => {
    const res = await t.post('/token', { ...form, client_id: 'service' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error, 'invalid_client');
  });

  it('refuses two authentication methods in one request', async () => {
    const res = await t.post(
      '/token',
      { ...form, client_id: 'service', client_secret: SERVICE_SECRET },
      { basic: service },
    );
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'invalid_request');
  });

  it('refuses malformed Basic credentials', async () => {
    const res = await t.post('/token', form, { headers: { authorization: 'Basic !!!notbase64' } });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error, 'invalid_client');
  });
});

describe('POST /token bad input', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open());
  });
  after(() => t.close());

  const inject = (payload: string, headers: Record<string, string>) =>
    t.issuer.app.inject({ method: 'POST', url: '/token', payload, headers });
  const auth = { authorization: `Basic ${Buffer.from(`service:${SERVICE_SECRET}`).toString('base64')}` };
  const form = { 'content-type': 'application/x-www-form-urlencoded', ...auth };

  it('rejects a missing grant_type with invalid_request', async () => {
    const res = await t.post('/token', { scope: 'orders:read' }, { basic: service });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      error: 'invalid_request',
      error_description: "missing required parameter 'grant_type'",
    });
  });

  it('rejects an unknown grant_type with unsupported_grant_type', async () => {
    const res = await t.post(
      '/token',
      { grant_type: 'password', username: 'a', password: 'b' },
      { basic: service },
    );
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'unsupported_grant_type');
  });

  it('rejects a duplicated parameter with invalid_request', async () => {
    const res = await inject('grant_type=client_credentials&grant_type=client_credentials', form);
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      error: 'invalid_request',
      error_description: "parameter 'grant_type' is included more than once",
    });
  });

  it('treats an empty parameter as omitted', async () => {
    const res = await inject('grant_type=', form);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error_description, "missing required parameter 'grant_type'");
  });

  it('rejects a JSON body with invalid_request', async () => {
    const res = await inject('{"grant_type":"client_credentials"}', {
      'content-type': 'application/json',
      ...auth,
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'invalid_request');
  });

  it('rejects a body without a content type with invalid_request', async () => {
    const res = await inject('grant_type=client_credentials', auth);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'invalid_request');
  });

  it('accepts a charset parameter on the form content type', async () => {
    const res = await inject('grant_type=client_credentials&resource=https%3A%2F%2Fapi.test', {
      ...form,
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
    });
    assert.equal(res.statusCode, 200);
  });

  it('rejects an over-long parameter value with invalid_request', async () => {
    const res = await inject(`grant_type=client_credentials&scope=${'a'.repeat(9000)}`, form);
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      error: 'invalid_request',
      error_description: "parameter 'scope' is too long",
    });
  });

  it('rejects an oversized body with 413 invalid_request', async () => {
    const res = await inject(`grant_type=client_credentials&x=${'a'.repeat(20_000)}`, form);
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error, 'invalid_request');
  });

  it('answers GET with 405 and an Allow header', async () => {
    const res = await t.issuer.app.inject({ method: 'GET', url: '/token' });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers['allow'], 'POST');
    assert.equal(res.json().error, 'invalid_request');
  });

  it('answers an unknown path with a JSON 404', async () => {
    const res = await t.issuer.app.inject({ method: 'GET', url: '/nope' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, 'not_found');
  });
});

describe('POST /token access-token lifetime', () => {
  it('uses tokens.access_token_lifetime for a resource that sets none of its own', async () => {
    const t = await startTestIssuer(await sqlite.open(), { tokens: { access_token_lifetime: 900 } });
    try {
      const jwt = await t.post(
        '/token',
        { grant_type: 'client_credentials', resource: 'https://api.test' },
        { basic: service },
      );
      assert.equal(jwt.json().expires_in, 900);
      const opaque = await t.post(
        '/token',
        { grant_type: 'client_credentials', resource: 'https://opaque.test' },
        { basic: service },
      );
      assert.equal(opaque.json().expires_in, 120, 'the resource’s own lifetime wins');
    } finally {
      await t.close();
    }
  });
});
