import { X509Certificate } from 'node:crypto';
import { storeBackends } from '@gatehouse/store/testing';
import { createTestCertificates, type TestCertificate, type TestCertificates } from './certificates.js';
import { RS_SECRET, startTestIssuer, type TestIssuer } from './harness.js';
import { freePort } from './listening-issuer.js';
import { type TlsRequestOptions, type TlsResponse, tlsRequest } from './tls-client.js';

// Also exported here, where the mTLS and device interop tests import it from.
export { freePort };

export interface MtlsTestIssuer {
  t: TestIssuer;
  certs: TestCertificates;
  /** https://localhost:<port>, where the mutual-TLS listener is. */
  mtlsBaseUrl: string;
  /** A request to the mutual-TLS listener, presenting `client` when given. */
  request(
    path: string,
    options?: Omit<TlsRequestOptions, 'ca' | 'client'> & { client?: TestCertificate },
  ): Promise<TlsResponse>;
  close(): Promise<void>;
}

/** The client's public key as a JWK, as a client would register it for self_signed_tls_client_auth. */
export function publicJwk(certificate: TestCertificate, withX5c = false): Record<string, unknown> {
  const x509 = new X509Certificate(certificate.cert);
  const jwk = x509.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return withX5c ? { ...jwk, x5c: [x509.raw.toString('base64')] } : jwk;
}

/**
 * A test issuer (SQLite) with a `tls` section and its HTTPS listener on localhost. `configure`
 * gets the generated certificates and returns the config's extra keys (clients, tls overrides).
 */
export async function startMtlsIssuer(
  configure: (certs: TestCertificates) => {
    clients: unknown[];
    tls?: Record<string, unknown>;
    users?: unknown[];
  },
): Promise<MtlsTestIssuer> {
  const certs = createTestCertificates();
  const port = await freePort();
  const mtlsBaseUrl = `https://localhost:${port}`;
  const sqlite = storeBackends().find((backend) => backend.name === 'sqlite')!;
  const { clients, tls, users = [] } = configure(certs);
  let t: TestIssuer;
  try {
    t = await startTestIssuer(await sqlite.open(), {
      clients: [...clients, { client_id: 'resource-server', client_secret: RS_SECRET, scope: '' }],
      users,
      tls: {
        cert_file: certs.server.certFile,
        key_file: certs.server.keyFile,
        client_ca_file: certs.ca.certFile,
        host: '127.0.0.1',
        port,
        mtls_base_url: mtlsBaseUrl,
        ...tls,
      },
    });
    await t.issuer.mtlsApp!.listen({ host: '127.0.0.1', port });
  } catch (error) {
    certs.cleanup();
    throw error;
  }
  return {
    t,
    certs,
    mtlsBaseUrl,
    request: (path, options = {}) => tlsRequest(`${mtlsBaseUrl}${path}`, { ...options, ca: certs.ca.cert }),
    async close() {
      try {
        await t.close();
      } finally {
        certs.cleanup();
      }
    },
  };
}
