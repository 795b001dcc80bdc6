import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHALLENGE, REDIRECT } from '../testing/browser-flow.js';
import { CLIENT_SANS } from '../testing/certificates.js';
import { type MtlsTestIssuer, startMtlsIssuer } from '../testing/mtls-issuer.js';

const INVALID_CLIENT = { error: 'invalid_client', error_description: 'client authentication failed' };

const pkiClient = (clientId: string, subject: Record<string, string>) => ({
  client_id: clientId,
  token_endpoint_auth_method: 'tls_client_auth',
  grant_types: ['client_credentials'],
  scope: 'orders:read',
  ...subject,
});

describe('client authentication tls_client_auth (RFC 8705 §2.1)', () => {
  let m: MtlsTestIssuer;
  before(async () => {
    m = await startMtlsIssuer(() => ({
      clients: [
        // RFC 4514 spelling differences: spaces after commas, lower-case types, case of values.
        pkiClient('by-dn', { tls_client_auth_subject_dn: 'cn=Billing, O=example,C=SE' }),
        pkiClient('by-dns', { tls_client_auth_san_dns: 'BILLING.example.com' }),
        pkiClient('by-uri', { tls_client_auth_san_uri: CLIENT_SANS.uri }),
        pkiClient('by-ip', { tls_client_auth_san_ip: CLIENT_SANS.ip }),
        pkiClient('by-ipv6', { tls_client_auth_san_ip: '2001:DB8:0:0:0:0:0:7' }),
        pkiClient('by-email', { tls_client_auth_san_email: CLIENT_SANS.email }),
        pkiClient('wrong-dn', { tls_client_auth_subject_dn: 'CN=payroll,O=Example,C=SE' }),
        pkiClient('reordered-dn', { tls_client_auth_subject_dn: 'C=SE,O=Example,CN=billing' }),
        pkiClient('wrong-uri', { tls_client_auth_san_uri: `${CLIENT_SANS.uri}/other` }),
        {
          ...pkiClient('web', { tls_client_auth_san_dns: CLIENT_SANS.dns }),
          grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
          redirect_uris: [REDIRECT],
          scope: 'openid orders:read',
        },
      ],
    }));
  });
  after(() => m.close());

  const tokenRequest = (clientId: string, client = m.certs.client) =>
    m.request('/token', {
      form: { grant_type: 'client_credentials', client_id: clientId, resource: 'https://api.test' },
      client,
    });

  for (const clientId of ['by-dn', 'by-dns', 'by-uri', 'by-ip', 'by-ipv6', 'by-email']) {
    it(`authenticates a CA-issued certificate that matches (${clientId})`, async () => {
      const res = await tokenRequest(clientId);
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json()['token_type'], 'Bearer');
      assert.equal(res.json()['scope'], 'orders:read');
    });
  }

  it('authenticates a certificate from an intermediate CA the client sends in its chain', async () => {
    const { chainedClient, intermediateCa } = m.certs;
    const res = await tokenRequest('by-dn', {
      ...chainedClient,
      cert: chainedClient.cert + intermediateCa.cert,
    });
    assert.equal(res.status, 200, res.body);
  });

  it('rejects that certificate sent without its intermediate CA', async () => {
    const res = await tokenRequest('by-dn', m.certs.chainedClient);
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('rejects a certificate whose subject DN is another one', async () => {
    const res = await tokenRequest('wrong-dn');
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('keeps RDN order significant: the DN written in certificate order is another name', async () => {
    const res = await tokenRequest('reordered-dn');
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('rejects a certificate without the registered SAN', async () => {
    const res = await tokenRequest('wrong-uri');
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('rejects the right subject from a CA that is not in tls.client_ca_file', async () => {
    const res = await tokenRequest('by-dn', m.certs.untrustedClient);
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('rejects a self-signed certificate with the same subject as no chain at all', async () => {
    const res = await tokenRequest('by-dn', m.certs.selfSigned);
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('rejects the request without a certificate', async () => {
    const res = await m.request('/token', {
      form: { grant_type: 'client_credentials', client_id: 'by-dn', resource: 'https://api.test' },
    });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('rejects the client on the plain listener, where no certificate can come', async () => {
    const res = await m.t.post('/token', { grant_type: 'client_credentials', client_id: 'by-dn' });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('rejects an expired certificate', async () => {
    m.t.clock.advance(2 * 86_400);
    try {
      const res = await tokenRequest('by-dn');
      assert.equal(res.status, 401);
      assert.deepEqual(res.json(), INVALID_CLIENT);
    } finally {
      m.t.clock.advance(-2 * 86_400);
    }
  });

  it('does not let a certificate stand in for another method: a secret client with a certificate needs its secret', async () => {
    const res = await m.request('/token', {
      form: { grant_type: 'client_credentials', client_id: 'resource-server' },
      client: m.certs.client,
    });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('answers invalid_client, not a server error, for a stored client whose DN cannot be read', async () => {
    await m.t.issuer.context.store.clients.upsert({
      clientId: 'stored-bad-dn',
      secretDigest: null,
      metadata: {
        grant_types: ['client_credentials'],
        redirect_uris: [],
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: 'not a DN',
        scope: 'orders:read',
      },
      source: 'admin',
      createdAt: 0,
      updatedAt: 0,
    });
    const res = await tokenRequest('stored-bad-dn');
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), INVALID_CLIENT);
  });

  it('authenticates at the PAR and device authorization endpoints (their mtls_endpoint_aliases)', async () => {
    const par = await m.request('/par', {
      form: {
        client_id: 'web',
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
      },
      client: m.certs.client,
    });
    assert.equal(par.status, 201, par.body);
    assert.match(String(par.json()['request_uri']), /^urn:ietf:params:oauth:request_uri:/);
    const device = await m.request('/device_authorization', {
      form: { client_id: 'web', scope: 'openid' },
      client: m.certs.client,
    });
    assert.equal(device.status, 200, device.body);
    assert.equal(typeof device.json()['device_code'], 'string');
    const stranger = await m.request('/par', {
      form: {
        client_id: 'web',
        response_type: 'code',
        redirect_uri: REDIRECT,
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
      },
      client: m.certs.selfSigned,
    });
    assert.equal(stranger.status, 401);
    assert.deepEqual(stranger.json(), INVALID_CLIENT);
  });

  it('authenticates at introspection and revocation too', async () => {
    const token = (await tokenRequest('by-dn')).json()['access_token'] as string;
    const introspection = await m.request('/introspect', {
      form: { token, client_id: 'by-dn' },
      client: m.certs.client,
    });
    assert.equal(introspection.status, 200);
    assert.equal(introspection.json()['active'], true);
    const revocation = await m.request('/revoke', {
      form: { token, client_id: 'by-dn' },
      client: m.certs.client,
    });
    assert.equal(revocation.status, 200);
  });
});
