import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../config/config-error.js';
import { validateConfig } from '../config/load.js';
import { createTestCertificates } from '../testing/certificates.js';
import { loadTlsSetup } from './tls-settings.js';

describe('reading the tls section at start', () => {
  const certs = createTestCertificates();
  after(() => certs.cleanup());
  const listener = { cert_file: certs.server.certFile, key_file: certs.server.keyFile };

  it('is nothing without a tls section', () => {
    assert.equal(loadTlsSetup(validateConfig({})), undefined);
  });

  it('makes a listener that requests, but does not require, client certificates', () => {
    const setup = loadTlsSetup(validateConfig({ tls: { ...listener, client_ca_file: certs.ca.certFile } }))!;
    assert.equal(setup.listener?.requestCert, true);
    assert.equal(setup.listener?.rejectUnauthorized, false);
    assert.equal(setup.listener?.cert, certs.server.cert);
    assert.equal(setup.settings.clientCas.length, 1);
    assert.equal(setup.settings.proxy, undefined);
  });

  it('advertises the issuer’s host and path on tls.port over https by default', () => {
    const config = validateConfig({
      issuer: 'https://id.example.com/tenant',
      tls: { ...listener, port: 9443 },
    });
    assert.equal(loadTlsSetup(config)!.settings.baseUrl, 'https://id.example.com:9443/tenant');
    const standard = validateConfig({ issuer: 'https://id.example.com', tls: { ...listener, port: 443 } });
    assert.equal(loadTlsSetup(standard)!.settings.baseUrl, 'https://id.example.com');
  });

  it('advertises nothing in proxy mode unless mtls_base_url says where', () => {
    const proxy = { client_cert_header: 'x-client-cert', trusted_proxies: ['10.0.0.0/8'] };
    const setup = loadTlsSetup(validateConfig({ tls: proxy }))!;
    assert.equal(setup.listener, undefined);
    assert.equal(setup.settings.baseUrl, undefined);
    assert.equal(setup.settings.proxy?.header, 'x-client-cert');
  });

  it('names each file it cannot read', () => {
    const config = validateConfig({
      tls: {
        cert_file: '/nonexistent/server.crt',
        key_file: certs.server.keyFile,
        client_ca_file: '/nonexistent/ca.pem',
      },
    });
    assert.throws(
      () => loadTlsSetup(config),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.map((p) => p.key).join() === 'tls.cert_file,tls.client_ca_file' &&
        /cannot read \/nonexistent\/server\.crt \(ENOENT\)/.test(error.message),
    );
  });

  it('refuses a key that does not belong to the certificate, or is not a key', () => {
    for (const keyFile of [certs.client.keyFile, certs.server.certFile]) {
      const config = validateConfig({ tls: { cert_file: certs.server.certFile, key_file: keyFile } });
      assert.throws(
        () => loadTlsSetup(config),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems.length === 1 &&
          error.problems[0]?.key === 'tls.key_file' &&
          /cannot be used with tls.cert_file/.test(error.message),
      );
    }
  });

  it('refuses a client_ca_file without certificates, or with one that is not a CA', () => {
    for (const [file, message] of [
      [certs.server.keyFile, /no PEM certificate found/],
      [certs.client.certFile, /is not a CA certificate/],
    ] as const) {
      const config = validateConfig({ tls: { ...listener, client_ca_file: file } });
      assert.throws(
        () => loadTlsSetup(config),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems[0]?.key === 'tls.client_ca_file' &&
          message.test(error.message),
      );
    }
  });
});
