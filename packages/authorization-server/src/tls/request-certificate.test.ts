import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { CLIENT_SUBJECT_DN, type TestCertificate } from '../testing/certificates.js';
import { type MtlsTestIssuer, startMtlsIssuer } from '../testing/mtls-issuer.js';
import { certificateThumbprint, pemCertificates } from './client-certificate.js';

const INVALID_CLIENT = { error: 'invalid_client', error_description: 'client authentication failed' };

/** What nginx's $ssl_client_escaped_cert sends: the PEM, URL-encoded. */
const escapedPem = (certificate: TestCertificate) => encodeURIComponent(certificate.cert);

describe('client certificates from a TLS-terminating proxy (tls.client_cert_header)', () => {
  let m: MtlsTestIssuer;
  before(async () => {
    m = await startMtlsIssuer(() => ({
      clients: [
        {
          client_id: 'billing',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: CLIENT_SUBJECT_DN,
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ['client_credentials'],
          scope: 'orders:read',
        },
      ],
      tls: { client_cert_header: 'x-client-cert', trusted_proxies: ['10.0.0.0/8', '2001:db8:1::/48'] },
    }));
  });
  after(() => m.close());

  const viaProxy = (remoteAddress: string, header: string | undefined) =>
    m.t.issuer.app.inject({
      method: 'POST',
      url: '/token',
      remoteAddress,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(header === undefined ? {} : { 'x-client-cert': header }),
      },
      payload: 'grant_type=client_credentials&client_id=billing&resource=https%3A%2F%2Fapi.test',
    });

  it('authenticates with the certificate a trusted proxy forwards, and binds the token to it', async () => {
    const res = await viaProxy('10.20.30.40', escapedPem(m.certs.client));
    assert.equal(res.statusCode, 200, res.body);
    const claims = decodeJwt(res.json().access_token);
    assert.deepEqual(claims['cnf'], {
      'x5t#S256': certificateThumbprint(pemCertificates(m.certs.client.cert)[0]!),
    });
  });

  it('accepts a trusted proxy that connects over IPv6, or IPv4 mapped into IPv6', async () => {
    assert.equal((await viaProxy('2001:db8:1::5', escapedPem(m.certs.client))).statusCode, 200);
    assert.equal((await viaProxy('::ffff:10.0.0.1', escapedPem(m.certs.client))).statusCode, 200);
  });

  it('ignores the header from an address that is not a trusted proxy', async () => {
    for (const address of ['192.0.2.10', '127.0.0.1', '2001:db8:2::5', '::ffff:192.0.2.10']) {
      const res = await viaProxy(address, escapedPem(m.certs.client));
      assert.equal(res.statusCode, 401, address);
      assert.deepEqual(res.json(), INVALID_CLIENT);
    }
  });

  it('has no certificate when a trusted proxy sends none, or one it cannot read', async () => {
    for (const header of [
      undefined,
      '',
      'not%20a%20certificate',
      '%E0%A4%A',
      encodeURIComponent('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'),
    ]) {
      const res = await viaProxy('10.0.0.1', header);
      assert.equal(res.statusCode, 401, String(header));
      assert.deepEqual(res.json(), INVALID_CLIENT);
    }
  });

  it('checks the forwarded certificate like a handshake one: an untrusted CA fails', async () => {
    const res = await viaProxy('10.0.0.1', escapedPem(m.certs.untrustedClient));
    assert.equal(res.statusCode, 401);
  });

  it('uses the handshake certificate on the TLS listener, whatever header an untrusted peer adds', async () => {
    const res = await m.request('/token', {
      form: { grant_type: 'client_credentials', client_id: 'billing', resource: 'https://api.test' },
      client: m.certs.selfSigned,
      headers: { 'x-client-cert': escapedPem(m.certs.client) },
    });
    assert.equal(res.status, 401);
    const ok = await m.request('/token', {
      form: { grant_type: 'client_credentials', client_id: 'billing', resource: 'https://api.test' },
      client: m.certs.client,
      headers: { 'x-client-cert': escapedPem(m.certs.selfSigned) },
    });
    assert.equal(ok.status, 200, ok.body);
  });
});
