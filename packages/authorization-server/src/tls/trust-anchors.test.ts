import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createTestCertificates } from '../testing/certificates.js';
import { parseTrustAnchors, untrustedChainReason } from './trust-anchors.js';

describe('the tls_client_auth chain check (RFC 8705 §2.1)', () => {
  const certs = createTestCertificates();
  after(() => certs.cleanup());
  const anchors = parseTrustAnchors(certs.ca.cert);
  const x509 = (pem: string) => new X509Certificate(pem);
  const now = new Date();
  const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

  it('accepts a client certificate the CA issued, while it is valid', () => {
    assert.equal(untrustedChainReason(x509(certs.client.cert), anchors, now), undefined);
  });

  it('refuses a certificate from another CA, and a self-signed one', () => {
    const reason = 'client certificate is not issued by a CA in tls.client_ca_file';
    assert.equal(untrustedChainReason(x509(certs.untrustedClient.cert), anchors, now), reason);
    assert.equal(untrustedChainReason(x509(certs.selfSigned.cert), anchors, now), reason);
  });

  it('refuses a certificate outside its validity period', () => {
    assert.equal(
      untrustedChainReason(x509(certs.client.cert), anchors, days(3)),
      'client certificate has expired',
    );
    assert.equal(
      untrustedChainReason(x509(certs.client.cert), anchors, days(-3)),
      'client certificate is not yet valid',
    );
  });

  it('refuses a certificate whose extendedKeyUsage leaves out client authentication', () => {
    assert.equal(
      untrustedChainReason(x509(certs.server.cert), anchors, now),
      'client certificate is not for TLS client authentication (extendedKeyUsage)',
    );
  });

  it('needs the issuer among the anchors for a certificate that came alone (from a proxy)', () => {
    assert.equal(
      untrustedChainReason(x509(certs.chainedClient.cert), anchors, now),
      'client certificate is not issued by a CA in tls.client_ca_file',
    );
  });

  it('takes a chain our handshake validated, still checking the certificate itself now', () => {
    const chained = x509(certs.chainedClient.cert);
    assert.equal(untrustedChainReason(chained, anchors, now, true), undefined);
    assert.equal(untrustedChainReason(chained, anchors, days(3), true), 'client certificate has expired');
    assert.equal(
      untrustedChainReason(x509(certs.intermediateCa.cert), anchors, now, true),
      'a CA certificate cannot authenticate a client',
    );
    assert.equal(
      untrustedChainReason(chained, [], now, true),
      'no tls.client_ca_file to validate client certificates against',
    );
  });

  it('refuses the CA certificate itself', () => {
    assert.equal(
      untrustedChainReason(x509(certs.ca.cert), anchors, now),
      'a CA certificate cannot authenticate a client',
    );
  });

  it('trusts every CA of a bundle', () => {
    const bundle = parseTrustAnchors(`${certs.otherCa.cert}\n${certs.ca.cert}`);
    assert.equal(bundle.length, 2);
    assert.equal(untrustedChainReason(x509(certs.client.cert), bundle, now), undefined);
    assert.equal(untrustedChainReason(x509(certs.untrustedClient.cert), bundle, now), undefined);
  });
});
