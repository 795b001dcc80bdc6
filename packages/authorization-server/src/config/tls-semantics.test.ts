import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './config-error.js';
import { validateConfig } from './load.js';

function problemsOf(document: Record<string, unknown>): { key: string; message: string }[] {
  try {
    validateConfig(document);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

const LISTENER = { cert_file: '/etc/gatehouse/server.crt', key_file: '/etc/gatehouse/server.key' };
const WITH_CA = { ...LISTENER, client_ca_file: '/etc/gatehouse/clients-ca.pem' };
const pki = (fields: Record<string, unknown> = {}) => ({
  client_id: 'billing',
  token_endpoint_auth_method: 'tls_client_auth',
  tls_client_auth_subject_dn: 'CN=billing,O=Example,C=SE',
  ...fields,
});
const only = (key: string, message: string) => [{ key, message }];

describe('tls: the listener and the proxy mode', () => {
  it('accepts a listener, with port 8443 by default and no proxies', () => {
    const config = validateConfig({ tls: LISTENER });
    assert.deepEqual(config.tls, { ...LISTENER, port: 8443, trusted_proxies: [] });
  });

  it('accepts proxy mode alone', () => {
    const tls = { client_cert_header: 'x-client-cert', trusted_proxies: ['10.0.0.0/8', '::1'] };
    assert.deepEqual(validateConfig({ tls }).tls, { ...tls, port: 8443 });
  });

  it('needs cert_file and key_file together', () => {
    assert.deepEqual(
      problemsOf({ tls: { cert_file: 'a.crt' } }),
      only('tls.key_file', 'required with cert_file'),
    );
    assert.deepEqual(
      problemsOf({ tls: { key_file: 'a.key' } }),
      only('tls.cert_file', 'required with key_file'),
    );
  });

  it('refuses a tls section that turns nothing on', () => {
    assert.deepEqual(
      problemsOf({ tls: { client_ca_file: 'ca.pem' } }),
      only(
        'tls',
        'set cert_file and key_file (Gatehouse terminates TLS) or client_cert_header (a proxy does), or remove tls',
      ),
    );
  });

  it('needs trusted proxies for the header, and the header for trusted proxies', () => {
    assert.deepEqual(
      problemsOf({ tls: { client_cert_header: 'x-client-cert' } }),
      only('tls.trusted_proxies', 'list the addresses of the proxies that may send client_cert_header'),
    );
    assert.deepEqual(
      problemsOf({ tls: { ...LISTENER, trusted_proxies: ['10.0.0.1'] } }),
      only('tls.trusted_proxies', 'used only with client_cert_header; set it or remove trusted_proxies'),
    );
  });

  it('names a trusted proxy that is not an address or range', () => {
    assert.deepEqual(
      problemsOf({
        tls: { client_cert_header: 'x-client-cert', trusted_proxies: ['10.0.0.1', 'proxy.local'] },
      }),
      only('tls.trusted_proxies[1]', "'proxy.local' is not an IP address or CIDR range such as 10.0.0.0/8"),
    );
  });

  it('wants a lower-case header name', () => {
    const problems = problemsOf({
      tls: { client_cert_header: 'X-Client-Cert', trusted_proxies: ['10.0.0.1'] },
    });
    assert.equal(problems[0]?.key, 'tls.client_cert_header');
  });

  it('wants mtls_base_url as https without query, fragment or trailing slash', () => {
    for (const [url, message] of [
      ['http://mtls.example.com', 'must be an https URL: mutual TLS needs TLS'],
      ['https://mtls.example.com/', 'must not end with a slash'],
      ['https://mtls.example.com?x=1', 'must not have a query or fragment'],
      ['mtls.example.com', "'mtls.example.com' is not an absolute URL"],
    ] as const) {
      assert.deepEqual(
        problemsOf({ tls: { ...LISTENER, mtls_base_url: url } }),
        only('tls.mtls_base_url', message),
      );
    }
  });

  it('needs mtls_base_url when the port is chosen at start', () => {
    assert.deepEqual(
      problemsOf({ tls: { ...LISTENER, port: 0 } }),
      only('tls.mtls_base_url', 'required when tls.port is 0: the advertised URL needs the real port'),
    );
  });

  it('rejects unknown keys in tls', () => {
    assert.equal(problemsOf({ tls: { ...LISTENER, client_ca: 'x' } })[0]?.key, 'tls.client_ca');
  });
});

describe('clients: mutual-TLS metadata (RFC 8705 §2.1.2, §2.2, §3.4)', () => {
  it('accepts a tls_client_auth client and keeps its subject', () => {
    const [client] = validateConfig({ tls: WITH_CA, clients: [pki()] }).clients;
    assert.equal(client?.tls_client_auth_subject_dn, 'CN=billing,O=Example,C=SE');
    assert.equal(client?.tls_client_certificate_bound_access_tokens, false);
  });

  it('needs the tls section for mutual-TLS methods and bound tokens', () => {
    assert.deepEqual(
      problemsOf({ clients: [pki()] }),
      only(
        'clients[0].token_endpoint_auth_method',
        'mutual TLS needs the tls section (a listener or a proxy header)',
      ),
    );
    assert.deepEqual(
      problemsOf({
        clients: [
          { client_id: 'c', client_secret: 'x'.repeat(32), tls_client_certificate_bound_access_tokens: true },
        ],
      }),
      only(
        'clients[0].tls_client_certificate_bound_access_tokens',
        'mutual TLS needs the tls section (a listener or a proxy header)',
      ),
    );
  });

  it('needs exactly one tls_client_auth_* value', () => {
    const message =
      'tls_client_auth needs exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, ' +
      'tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email (RFC 8705 §2.1.2)';
    assert.deepEqual(
      problemsOf({ tls: WITH_CA, clients: [pki({ tls_client_auth_subject_dn: undefined })] }),
      only('clients[0].token_endpoint_auth_method', message),
    );
    assert.deepEqual(
      problemsOf({ tls: WITH_CA, clients: [pki({ tls_client_auth_san_dns: 'billing.example.com' })] }),
      only('clients[0].token_endpoint_auth_method', message),
    );
  });

  it('needs tls.client_ca_file for tls_client_auth', () => {
    assert.deepEqual(
      problemsOf({ tls: LISTENER, clients: [pki()] }),
      only(
        'clients[0].token_endpoint_auth_method',
        'tls_client_auth needs tls.client_ca_file, the CAs its certificates chain to',
      ),
    );
  });

  it('refuses subject metadata on a client that does not use tls_client_auth', () => {
    assert.deepEqual(
      problemsOf({
        tls: WITH_CA,
        clients: [
          { client_id: 'c', client_secret: 'x'.repeat(32), tls_client_auth_san_dns: 'c.example.com' },
        ],
      }),
      only(
        'clients[0].tls_client_auth_san_dns',
        'used only with token_endpoint_auth_method tls_client_auth; remove it',
      ),
    );
  });

  it('checks the DN and the IP address', () => {
    assert.deepEqual(
      problemsOf({ tls: WITH_CA, clients: [pki({ tls_client_auth_subject_dn: 'billing' })] }),
      only(
        'clients[0].tls_client_auth_subject_dn',
        "not an RFC 4514 distinguished name: 'billing' has no '='",
      ),
    );
    assert.deepEqual(
      problemsOf({
        tls: WITH_CA,
        clients: [pki({ tls_client_auth_subject_dn: undefined, tls_client_auth_san_ip: '10.0.0.300' })],
      }),
      only('clients[0].tls_client_auth_san_ip', 'must be an IPv4 or IPv6 address'),
    );
  });

  it('needs keys for self_signed_tls_client_auth, and no secret', () => {
    assert.deepEqual(
      problemsOf({
        tls: LISTENER,
        clients: [{ client_id: 'c', token_endpoint_auth_method: 'self_signed_tls_client_auth' }],
      }),
      only(
        'clients[0].jwks',
        'self_signed_tls_client_auth needs the client’s certificates or keys in jwks or jwks_uri',
      ),
    );
    assert.deepEqual(
      problemsOf({ tls: WITH_CA, clients: [pki({ client_secret: 'x'.repeat(32) })] }),
      only('clients[0].client_secret', 'not used with token_endpoint_auth_method tls_client_auth; remove it'),
    );
  });
});
