import { createHash, X509Certificate } from 'node:crypto';

/** A client certificate that came with a request, parsed once. */
export interface PresentedCertificate {
  /** The certificate's DER encoding. */
  der: Buffer;
  x509: X509Certificate;
  /**
   * RFC 8705 §3.1: the `x5t#S256` confirmation method, "the base64url-encoded SHA-256 hash of
   * the DER encoding of the X.509 certificate".
   */
  thumbprint: string;
  /** The TLS handshake of this connection, or the header of a trusted TLS-terminating proxy. */
  source: 'tls' | 'proxy';
  /**
   * Whether our own TLS handshake validated the certificate's chain against
   * `tls.client_ca_file`, intermediates the client sent included. Never true from a proxy.
   */
  chainVerified: boolean;
}

/** Parses a DER certificate; undefined when it is not one (a garbled header, for instance). */
export function parsePresentedCertificate(
  der: Buffer,
  source: PresentedCertificate['source'],
  chainVerified = false,
): PresentedCertificate | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    return undefined;
  }
  return { der: x509.raw, x509, thumbprint: certificateThumbprint(x509.raw), source, chainVerified };
}

/** RFC 8705 §3.1 `x5t#S256`. */
export function certificateThumbprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle, as DER, in file order. */
export function pemCertificates(pem: string): Buffer[] {
  return [...pem.matchAll(PEM_BLOCK)].map((match) => Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64'));
}
