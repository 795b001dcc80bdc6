import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, as PEM text and as files. */
export interface TestCertificate {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestCertificates {
  dir: string;
  /** The CA that client_ca_file trusts, and that issues the server certificate. */
  ca: TestCertificate;
  /** The server certificate for localhost and 127.0.0.1. */
  server: TestCertificate;
  /** Issued by `ca`: subject C=SE, O=Example, CN=billing and one SAN of every kind. */
  client: TestCertificate;
  /** A second CA, which the test configs do not trust. */
  otherCa: TestCertificate;
  /** The same subject and SANs as `client`, issued by `otherCa`. */
  untrustedClient: TestCertificate;
  /** Self-signed, for self_signed_tls_client_auth. */
  selfSigned: TestCertificate;
  /** Another self-signed certificate, with a key of its own. */
  otherSelfSigned: TestCertificate;
  /** An intermediate CA issued by `ca`; client_ca_file does not list it. */
  intermediateCa: TestCertificate;
  /**
   * `client`'s subject and SANs, issued by `intermediateCa`. Its `cert` is the leaf alone; a
   * client sends `cert + intermediateCa.cert` to present the chain.
   */
  chainedClient: TestCertificate;
  cleanup(): void;
}

export const CLIENT_SUBJECT_DN = 'CN=billing,O=Example,C=SE';
export const CLIENT_SANS = {
  dns: 'billing.example.com',
  uri: 'https://billing.example.com/client',
  ip: '10.1.2.3',
  ipv6: '2001:db8::7',
  email: 'ops@example.com',
};

const OPENSSL = '/usr/bin/openssl';

/**
 * Generates a small PKI with the openssl command (Node cannot make X.509 certificates): two
 * CAs, a server certificate and client certificates, valid from now for a day, in a new
 * temporary directory.
 */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-certs-'));
  try {
    const ca = makeCertificate(dir, 'ca', '/CN=Gatehouse Test CA', [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const otherCa = makeCertificate(dir, 'other-ca', '/CN=Untrusted Test CA', [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const intermediateCa = makeCertificate(
      dir,
      'intermediate-ca',
      '/CN=Gatehouse Test Intermediate CA',
      ['basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign'],
      ca,
    );
    const clientExtensions = [
      'basicConstraints=critical,CA:FALSE',
      'extendedKeyUsage=clientAuth',
      `subjectAltName=DNS:${CLIENT_SANS.dns},URI:${CLIENT_SANS.uri},IP:${CLIENT_SANS.ip},IP:${CLIENT_SANS.ipv6},email:${CLIENT_SANS.email}`,
    ];
    return {
      dir,
      ca,
      otherCa,
      server: makeCertificate(
        dir,
        'server',
        '/CN=localhost',
        [
          'basicConstraints=critical,CA:FALSE',
          'extendedKeyUsage=serverAuth',
          'subjectAltName=DNS:localhost,IP:127.0.0.1',
        ],
        ca,
      ),
      client: makeCertificate(dir, 'client', '/C=SE/O=Example/CN=billing', clientExtensions, ca),
      intermediateCa,
      chainedClient: makeCertificate(
        dir,
        'chained-client',
        '/C=SE/O=Example/CN=billing',
        clientExtensions,
        intermediateCa,
      ),
      untrustedClient: makeCertificate(
        dir,
        'untrusted-client',
        '/C=SE/O=Example/CN=billing',
        clientExtensions,
        otherCa,
      ),
      selfSigned: makeCertificate(dir, 'self-signed', '/CN=self-signed client', [
        'basicConstraints=critical,CA:FALSE',
      ]),
      otherSelfSigned: makeCertificate(dir, 'other-self-signed', '/CN=someone else', [
        'basicConstraints=critical,CA:FALSE',
      ]),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function makeCertificate(
  dir: string,
  name: string,
  subject: string,
  extensions: string[],
  issuer?: TestCertificate,
): TestCertificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    subject,
    '-days',
    '1',
    // Without a config file openssl adds its default extensions; these replace them.
    '-config',
    '/dev/null',
    ...extensions.flatMap((extension) => ['-addext', extension]),
    ...(issuer ? ['-CA', issuer.certFile, '-CAkey', issuer.keyFile] : []),
  ];
  execFileSync(OPENSSL, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}
