import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { CLIENT_SANS, createTestCertificates } from '../testing/certificates.js';
import { readCertificateFields } from './certificate-fields.js';

describe('reading a certificate’s subject and subjectAltName (RFC 5280 §4.1.2.6, §4.2.1.6)', () => {
  const certs = createTestCertificates();
  after(() => certs.cleanup());

  it('reads the subject RDNs in certificate order with their OIDs', () => {
    const { subject } = readCertificateFields(new X509Certificate(certs.client.cert).raw);
    assert.deepEqual(subject, [
      [{ oid: '2.5.4.6', value: 'SE' }],
      [{ oid: '2.5.4.10', value: 'Example' }],
      [{ oid: '2.5.4.3', value: 'billing' }],
    ]);
  });

  it('reads every SAN kind tls_client_auth matches on; IPv6 in RFC 5952 form', () => {
    const { subjectAltNames } = readCertificateFields(new X509Certificate(certs.client.cert).raw);
    assert.deepEqual(subjectAltNames, {
      dns: [CLIENT_SANS.dns],
      uri: [CLIENT_SANS.uri],
      ip: [CLIENT_SANS.ip, CLIENT_SANS.ipv6],
      email: [CLIENT_SANS.email],
    });
  });

  it('has empty SAN lists for a certificate without the extension', () => {
    const { subjectAltNames } = readCertificateFields(new X509Certificate(certs.selfSigned.cert).raw);
    assert.deepEqual(subjectAltNames, { dns: [], uri: [], ip: [], email: [] });
  });

  it('throws on bytes that are not a certificate, truncated or not', () => {
    const der = new X509Certificate(certs.client.cert).raw;
    assert.throws(() => readCertificateFields(der.subarray(0, der.length - 40)));
    assert.throws(() => readCertificateFields(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])));
    assert.throws(() => readCertificateFields(Buffer.alloc(0)));
  });
});
