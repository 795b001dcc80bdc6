import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@gatehouse/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { CLIENT_SUBJECT_DN, createTestCertificates, type TestCertificate } from '../testing/certificates.js';
import { type MtlsTestIssuer, startMtlsIssuer } from '../testing/mtls-issuer.js';
import { certificateThumbprint, pemCertificates } from './client-certificate.js';
import { registerClientCertificates } from './request-certificate.js';
import type { MtlsSettings } from './tls-settings.js';
import { parseTrustedProxies } from './trusted-proxies.js';

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

describe('finding the client certificate of a request', () => {
  const certs = createTestCertificates();
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const appWith = (mtls: MtlsSettings | undefined) => {
    const app = Fastify({
      loggerInstance: createLogger({ level: 'warn', destination }) as FastifyBaseLogger,
    });
    registerClientCertificates(app, mtls);
    app.get('/', async (request) => ({
      thumbprint: request.clientCertificate?.thumbprint ?? null,
      source: request.clientCertificate?.source ?? null,
    }));
    return app;
  };
  const proxyMode: MtlsSettings = {
    clientCas: [],
    proxy: { header: 'x-client-cert', trusted: parseTrustedProxies(['10.0.0.0/8']) },
    baseUrl: undefined,
  };
  const app = appWith(proxyMode);
  after(async () => {
    await app.close();
    certs.cleanup();
  });
  const get = (target: FastifyInstance, remoteAddress: string, header?: string) =>
    target.inject({
      method: 'GET',
      url: '/',
      remoteAddress,
      headers: header === undefined ? {} : { 'x-client-cert': header },
    });

  it('takes the header of a trusted proxy as the certificate', async () => {
    const res = await get(app, '10.0.0.9', escapedPem(certs.client));
    assert.deepEqual(res.json(), {
      thumbprint: certificateThumbprint(pemCertificates(certs.client.cert)[0]!),
      source: 'proxy',
    });
  });

  it('ignores the header of anyone else, and logs it with the peer address but not the header', async () => {
    lines.length = 0;
    const res = await get(app, '192.0.2.44', escapedPem(certs.client));
    assert.deepEqual(res.json(), { thumbprint: null, source: null });
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(
      line['msg'],
      'ignored a client certificate header from an address not in tls.trusted_proxies',
    );
    assert.equal(line['peer'], '192.0.2.44');
    assert.equal(lines[0]!.includes('BEGIN'), false);
  });

  it('logs a trusted proxy’s header that holds no certificate', async () => {
    lines.length = 0;
    const res = await get(app, '10.0.0.9', 'garbage');
    assert.deepEqual(res.json(), { thumbprint: null, source: null });
    assert.match(lines[0] ?? '', /a trusted proxy sent an unreadable client certificate/);
  });

  it('never reads the header when proxy mode is off', async () => {
    lines.length = 0;
    const plain = appWith(undefined);
    const res = await get(plain, '10.0.0.9', escapedPem(certs.client));
    assert.deepEqual(res.json(), { thumbprint: null, source: null });
    assert.equal(lines.length, 0);
    await plain.close();
  });
});
