import { OAuthError } from '@gatehouse/core';
import type { ClientRecord } from '@gatehouse/store';
import type { SenderConstraint } from '../tokens/confirmation.js';
import type { PresentedCertificate } from './client-certificate.js';

/**
 * RFC 8705 §3: a client that registered `tls_client_certificate_bound_access_tokens` (§3.4)
 * gets tokens bound to the certificate of its token request, `cnf: { "x5t#S256": ... }`
 * (§3.1). Its refresh tokens are bound too when it is a public client (§4); a confidential
 * client's are bound to its client authentication already. Such a client asking without a
 * certificate gets `invalid_request` rather than a token anyone could use.
 */
export function certificateSenderConstraint(
  client: ClientRecord,
  confidential: boolean,
  certificate: PresentedCertificate | undefined,
): SenderConstraint | undefined {
  if (client.metadata['tls_client_certificate_bound_access_tokens'] !== true) return undefined;
  if (!certificate) {
    throw new OAuthError(
      'invalid_request',
      'this client’s tokens are bound to its TLS client certificate; send the request over mutual TLS',
    );
  }
  return { confirmation: { 'x5t#S256': certificate.thumbprint }, bindRefreshToken: !confidential };
}
