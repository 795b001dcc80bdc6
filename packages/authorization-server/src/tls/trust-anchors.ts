import { X509Certificate } from 'node:crypto';
import { pemCertificates } from './client-certificate.js';

// RFC 5280 §4.2.1.12: id-kp-clientAuth, and anyExtendedKeyUsage.
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/** The CA certificates of `tls.client_ca_file`; throws when the bundle holds none or a non-CA. */
export function parseTrustAnchors(pem: string): X509Certificate[] {
  const anchors = pemCertificates(pem).map((der) => new X509Certificate(der));
  if (anchors.length === 0) throw new Error('no PEM certificate found');
  for (const anchor of anchors) {
    if (!anchor.ca) throw new Error(`'${anchor.subject.replace(/\n/g, ', ')}' is not a CA certificate`);
  }
  return anchors;
}

/**
 * Why the certificate does not chain to one of the trust anchors at `now`, or undefined when it
 * does. RFC 8705 §2.1: with tls_client_auth "the client certificate chain is validated" against
 * trust anchors the server is configured with.
 *
 * - `chainVerified`: our TLS handshake has validated the chain (RFC 5280 path validation by
 *   OpenSSL against tls.client_ca_file, through the intermediates the client sent). What is
 *   checked here then is the certificate itself, at `now`, since a connection outlives its
 *   handshake.
 * - Otherwise (a certificate from a proxy's header, the leaf alone): it must be issued by an
 *   anchor directly. Every certificate in the bundle is an anchor, so an intermediate CA is
 *   trusted by listing it.
 */
export function untrustedChainReason(
  certificate: X509Certificate,
  anchors: readonly X509Certificate[],
  now: Date,
  chainVerified = false,
): string | undefined {
  const validityProblem = validityReason(certificate, now);
  if (validityProblem) return `client certificate ${validityProblem}`;
  const usage = certificate.keyUsage;
  if (usage && !usage.includes(CLIENT_AUTH) && !usage.includes(ANY_EXTENDED_KEY_USAGE)) {
    return 'client certificate is not for TLS client authentication (extendedKeyUsage)';
  }
  if (certificate.ca) return 'a CA certificate cannot authenticate a client';
  // No anchors: tls.client_ca_file is unset, and a handshake verified against nothing of ours.
  if (anchors.length === 0) return 'no tls.client_ca_file to validate client certificates against';
  if (chainVerified) return undefined;
  const issuer = anchors.find(
    (anchor) => certificate.checkIssued(anchor) && certificate.verify(anchor.publicKey),
  );
  if (!issuer) return 'client certificate is not issued by a CA in tls.client_ca_file';
  const issuerProblem = validityReason(issuer, now);
  if (issuerProblem) return `the issuing CA certificate ${issuerProblem}`;
  return undefined;
}

function validityReason(certificate: X509Certificate, now: Date): string | undefined {
  if (now < new Date(certificate.validFrom)) return 'is not yet valid';
  if (now > new Date(certificate.validTo)) return 'has expired';
  return undefined;
}
