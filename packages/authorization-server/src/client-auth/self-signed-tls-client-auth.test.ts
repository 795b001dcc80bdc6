import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
