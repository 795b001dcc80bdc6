import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { type MtlsTestIssuer, publicJwk, startMtlsIssuer } from '../../src/testing/mtls-issuer.js';
import { assertSafeAnswer, HOSTILE_VALUES, routesOf, withinSeconds } from './probe.js';
import { ROUTES } from './routes.js';

/**
 * The mutual-TLS listener (RFC 8705 §5) serves the same routes as the main one and reads client
 * certificates, from the handshake or from a trusted proxy's header: hostile input there, too,
 * gets a clear error and never a 5xx.
 */

const CERT_HEADER = 'x-client-cert';

describe('robustness: the mutual-TLS listener', () => {
  let m: MtlsTestIssuer;
  let app: FastifyInstance;
  before(async () => {
    m = await startMtlsIssuer((certs) => ({
      clients: [
        {
          client_id: 'pki',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: 'CN=billing,O=Example,C=SE',
          grant_types: ['client_credentials'],
          scope: 'orders:read',
        },
        {
          client_id: 'self-signed',
          token_endpoint_auth_method: 'self_signed_tls_client_auth',
          jwks: { keys: [publicJwk(certs.selfSigned)] },
          grant_types: ['client_credentials'],
          scope: 'orders:read',
          tls_client_certificate_bound_access_tokens: true,
        },
      ],
      // Proxy mode, trusting the address inject() comes from, so the header is read.
      tls: { client_cert_header: CERT_HEADER, trusted_proxies: ['127.0.0.1/32'] },
    }));
    app = m.t.issuer.mtlsApp!;
  });
  after(() => m.close());

  const failures: string[] = [];
  beforeEach(() => {
    failures.length = 0;
  });
  afterEach(() => {
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} unsafe answers`);
  });

  async function probe(options: InjectOptions & { method: string; url: string }, label: string) {
    const res = await withinSeconds(5, app.inject(options), `${options.method} ${options.url} [${label}]`);
    const kind = ROUTES[`${options.method} ${options.url.split('?')[0]}`] ?? 'json';
    try {
      assertSafeAnswer(res, kind, { method: options.method, url: options.url, probe: label });
    } catch (error) {
      failures.push((error as Error).message.split('\n')[0]!);
    }
    return res;
  }

  it('serves exactly the routes the sweep knows', async () => {
    await app.ready();
    assert.deepEqual([...routesOf(app)].sort(), Object.keys(ROUTES).sort());
  });

  it('hostile parameters on every route', async () => {
    for (const route of Object.keys(ROUTES)) {
      const [method, path] = route.split(' ') as [string, string];
      for (const [label, value] of Object.entries(HOSTILE_VALUES)) {
        const form = `grant_type=client_credentials&client_id=${value}&scope=${value}&token=${value}`;
        if (method === 'POST') {
          await probe(
            {
              method,
              url: path,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              payload: form,
            },
            label,
          );
        } else {
          await probe({ method, url: `${path}?${form}` }, label);
        }
      }
    }
  });

  it('garbage client certificates from the trusted proxy are invalid_client at the token endpoint', async () => {
    const pem = m.certs.client.cert;
    const headers: Record<string, string> = {
      garbage: 'garbage',
      'PEM armour around garbage': encodeURIComponent(
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      ),
      'truncated certificate': encodeURIComponent(pem.slice(0, Math.floor(pem.length / 2))),
      'bad percent-encoding': '%ZZ%C0%AF',
      '10 kB': 'A'.repeat(10_000),
      'two certificates': encodeURIComponent(pem + pem),
      'a private key': encodeURIComponent(m.certs.client.key),
    };
    // The control: the proxy's header is read, so a good certificate there authenticates.
    const good = await app.inject({
      method: 'POST',
      url: '/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        [CERT_HEADER]: encodeURIComponent(pem),
      },
      payload: 'grant_type=client_credentials&client_id=pki',
    });
    assert.equal(good.statusCode, 200, good.body);
    for (const [label, value] of Object.entries(headers)) {
      for (const clientId of ['pki', 'self-signed']) {
        const res = await probe(
          {
            method: 'POST',
            url: '/token',
            headers: { 'content-type': 'application/x-www-form-urlencoded', [CERT_HEADER]: value },
            payload: `grant_type=client_credentials&client_id=${clientId}`,
          },
          `${label} (${clientId})`,
        );
        if (label !== 'two certificates') {
          assert.equal(res.statusCode, 401, `${label} ${clientId}: ${res.body}`);
          assert.equal(res.json().error, 'invalid_client');
        }
      }
      await probe(
        { method: 'GET', url: '/userinfo', headers: { authorization: 'Bearer abc', [CERT_HEADER]: value } },
        label,
      );
    }
  });

  it('over a real TLS connection without a certificate, hostile requests get clear errors', async () => {
    const token = await m.request('/token', {
      method: 'POST',
      form: { grant_type: 'client_credentials', client_id: 'pki' },
    });
    assert.equal(token.status, 401);
    assert.equal(token.json()['error'], 'invalid_client');
    const garbage = await m.request('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    assert.ok(garbage.status >= 400 && garbage.status < 500, String(garbage.status));
    const page = await m.request(`/device?user_code=${'A'.repeat(10_000)}`);
    assert.equal(page.status, 400);
    assert.match(String(page.headers['content-type']), /^text\/html/);
  });
});
