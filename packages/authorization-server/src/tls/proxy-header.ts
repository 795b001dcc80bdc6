import {
  type PresentedCertificate,
  parsePresentedCertificate,
  pemCertificates,
} from './client-certificate.js';

/**
 * The certificate a TLS-terminating proxy forwards: a PEM certificate, URL-encoded (what
 * nginx's `$ssl_client_escaped_cert` and Envoy's `%DOWNSTREAM_PEER_CERT%` produce). Undefined
 * when the value holds no readable certificate.
 */
export function certificateFromHeader(value: string): PresentedCertificate | undefined {
  let pem: string;
  try {
    pem = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  const certificates = pemCertificates(pem);
  // The leaf comes first when a proxy forwards a chain; the rest are not needed here.
  const leaf = certificates[0];
  return leaf ? parsePresentedCertificate(leaf, 'proxy') : undefined;
}
