import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type JwksUriStub, stubJwksUris } from '../testing/jwks-uri-stub.js';
import { type MtlsTestIssuer, publicJwk, startMtlsIssuer } from '../testing/mtls-issuer.js';

const INVALID_CLIENT = { error: 'invalid_client', error_description: 'client authentication failed' };

const selfSignedClient = (clientId: string, keys: Record<string, unknown>) => ({
  client_id: clientId,
  token_endpoint_auth_method: 'self_signed_tls_client_auth',
  grant_types: ['client_credentials'],
  scope: 'orders:read',
  ...keys,
});

describe('client authentication self_signed_tls_client_auth (RFC 8705 §2.2)', () => {
  let m: MtlsTestIssuer;
  before(async () => {
    m = await startMtlsIssuer((certs) => ({
      clients: [
        selfSignedClient('by-key', {
          jwks: { keys: [publicJwk(certs.otherSelfSigned), publicJwk(certs.selfSigned)] },
        }),
        selfSignedClient('by-x5c', { jwks: { keys: [publicJwk(certs.selfSigned, true)] } }),
        selfSignedClient('ca-issued-key', { jwks: { keys: [publicJwk(certs.client)] } }),
        selfSignedClient('other-key', { jwks: { keys: [publicJwk(certs.otherSelfSigned)] } }),
        // The key of the CA-issued client certificate, registered with another certificate in x5c.
        selfSignedClient('stale-x5c', {
          jwks: { keys: [{ ...publicJwk(certs.client), x5c: publicJwk(certs.selfSigned, true)['x5c'] }] },
        }),
      ],
    }));
  });
  after(() => m.close());

  const tokenRequest = (clientId: string, client = m.certs.selfSigned) =>
    m.request('/token', {
      form: { grant_type: 'client_credentials', client_id: clientId, resource: 'https://api.test' },
      client,
    });

  it('authenticates a self-signed certificate whose public key is in the jwks', async () => {
    const res = await tokenRequest('by-key');
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json()['scope'], 'orders:read');
  });

  it('authenticates the exact certificate a JWK names in x5c', async () => {
    const res = await tokenRequest('by-x5c');
    assert.equal(res.status, 200, res.body);
  });

  it('does not check the chain: a CA-issued certificate works the same, by its key', async () => {
    const res = await tokenRequest('ca-issued-key', m.certs.client);
    assert.equal(res.status, 200, res.body);
  });

  it('rejects a certificate whose key is not in the jwks', async () => {
    const res = await tokenRequest('other-key');
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('rejects a certificate for a JWK key when the JWK pins another certificate in x5c', async () => {
    const res = await tokenRequest('stale-x5c', m.certs.client);
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('rejects the request without a certificate', async () => {
    const res = await m.request('/token', {
      form: { grant_type: 'client_credentials', client_id: 'by-key', resource: 'https://api.test' },
    });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });
});

describe('client authentication self_signed_tls_client_auth with a jwks_uri (RFC 8705 §2.2)', () => {
  const KEYS = 'https://keys.client.test/jwks.json';
  const OTHER_KEYS = 'https://other.client.test/jwks.json';
  const BROKEN_KEYS = 'https://broken.client.test/jwks.json';
  let m: MtlsTestIssuer;
  let stub: JwksUriStub;
  before(async () => {
    stub = stubJwksUris();
    m = await startMtlsIssuer(() => ({
      clients: [
        selfSignedClient('by-uri', { jwks_uri: KEYS }),
        selfSignedClient('other-uri', { jwks_uri: OTHER_KEYS }),
        selfSignedClient('broken-uri', { jwks_uri: BROKEN_KEYS }),
      ],
    }));
    stub.serve(KEYS, { keys: [publicJwk(m.certs.otherSelfSigned), publicJwk(m.certs.selfSigned)] });
    stub.serve(OTHER_KEYS, { keys: [publicJwk(m.certs.otherSelfSigned)] });
    stub.serve(BROKEN_KEYS, 503);
  });
  after(async () => {
    await m.close();
    stub.restore();
  });

  const tokenRequest = (clientId: string) =>
    m.request('/token', {
      form: { grant_type: 'client_credentials', client_id: clientId, resource: 'https://api.test' },
      client: m.certs.selfSigned,
    });

  it('authenticates a certificate whose key is in the document at jwks_uri', async () => {
    const res = await tokenRequest('by-uri');
    assert.equal(res.status, 200, res.body);
    assert.ok(stub.fetches(KEYS) >= 1);
  });

  it('rejects a certificate whose key the jwks_uri document does not hold', async () => {
    const res = await tokenRequest('other-uri');
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('rejects the client, never a server error, while its jwks_uri fails', async () => {
    const res = await tokenRequest('broken-uri');
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
    assert.ok(stub.fetches(BROKEN_KEYS) >= 1);
  });
});
