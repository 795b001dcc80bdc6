import type { IssuerContext } from '../context.js';

const MUTUAL_TLS_AUTH_METHODS = ['tls_client_auth', 'self_signed_tls_client_auth'];

// RFC 8705 §5: the endpoints a client authenticates at or presents a bound token to.
const ALIASED_ENDPOINTS: Record<string, string> = {
  token_endpoint: '/token',
  revocation_endpoint: '/revoke',
  introspection_endpoint: '/introspect',
  userinfo_endpoint: '/userinfo',
  pushed_authorization_request_endpoint: '/par',
  device_authorization_endpoint: '/device_authorization',
};

/**
 * RFC 8705 server metadata when mutual TLS is configured: the two client authentication
 * methods (§2.1.1, §2.2.1) beside `baseMethods`, `tls_client_certificate_bound_access_tokens`
 * (§3.3), and `mtls_endpoint_aliases` (§5) when the mutual-TLS endpoints have their own URL.
 * Overrides the plain `*_auth_methods_supported` lists, so spread it after them.
 */
export function mutualTlsMetadata(
  ctx: IssuerContext,
  baseMethods: readonly string[],
): Record<string, unknown> {
  const mtls = ctx.mtls;
  if (!mtls) return {};
  const methods = [...baseMethods, ...MUTUAL_TLS_AUTH_METHODS];
  const metadata: Record<string, unknown> = {
    token_endpoint_auth_methods_supported: [...methods, 'none'],
    introspection_endpoint_auth_methods_supported: methods,
    revocation_endpoint_auth_methods_supported: [...methods, 'none'],
    tls_client_certificate_bound_access_tokens: true,
  };
  if (mtls.baseUrl !== undefined) {
    metadata['mtls_endpoint_aliases'] = Object.fromEntries(
      Object.entries(ALIASED_ENDPOINTS).map(([name, path]) => [name, `${mtls.baseUrl}${path}`]),
    );
  }
  return metadata;
}
