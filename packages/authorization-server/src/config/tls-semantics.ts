import { isIP } from 'node:net';
import { parseDistinguishedName } from '../tls/subject-dn.js';
import { trustedProxyProblem } from '../tls/trusted-proxies.js';
import type { ClientConfig, GatehouseConfig } from './schema.js';

type Problem = { key: string; message: string };

/** RFC 8705 §2.1.2: the metadata a tls_client_auth client registers exactly one of. */
export const TLS_SUBJECT_FIELDS = [
  'tls_client_auth_subject_dn',
  'tls_client_auth_san_dns',
  'tls_client_auth_san_uri',
  'tls_client_auth_san_ip',
  'tls_client_auth_san_email',
] as const;

/** The rules of `tls` and of clients' mutual-TLS metadata that a JSON schema cannot say. */
export function checkTlsSemantics(config: GatehouseConfig): Problem[] {
  const problems: Problem[] = [];
  const add = (key: string, message: string) => problems.push({ key, message });
  const tls = config.tls;
  if (tls) {
    const listener = tls.cert_file !== undefined || tls.key_file !== undefined;
    if (tls.cert_file === undefined && tls.key_file !== undefined)
      add('tls.cert_file', 'required with key_file');
    if (tls.key_file === undefined && tls.cert_file !== undefined)
      add('tls.key_file', 'required with cert_file');
    if (!listener && tls.client_cert_header === undefined) {
      add(
        'tls',
        'set cert_file and key_file (Gatehouse terminates TLS) or client_cert_header (a proxy does), or remove tls',
      );
    }
    if (tls.client_cert_header !== undefined && tls.trusted_proxies.length === 0) {
      add('tls.trusted_proxies', 'list the addresses of the proxies that may send client_cert_header');
    }
    if (tls.client_cert_header === undefined && tls.trusted_proxies.length > 0) {
      add('tls.trusted_proxies', 'used only with client_cert_header; set it or remove trusted_proxies');
    }
    tls.trusted_proxies.forEach((entry, i) => {
      const problem = trustedProxyProblem(entry);
      if (problem) add(`tls.trusted_proxies[${i}]`, `'${entry}' is ${problem}`);
    });
    if (tls.mtls_base_url !== undefined) {
      const problem = baseUrlProblem(tls.mtls_base_url);
      if (problem) add('tls.mtls_base_url', problem);
    } else if (listener && tls.port === 0) {
      add('tls.mtls_base_url', 'required when tls.port is 0: the advertised URL needs the real port');
    }
  }
  for (const [i, client] of config.clients.entries()) {
    checkClient(config, client, (field, message) => add(`clients[${i}].${field}`, message));
  }
  return problems;
}

function checkClient(
  config: GatehouseConfig,
  client: ClientConfig,
  add: (field: string, message: string) => void,
): void {
  const method = client.token_endpoint_auth_method;
  const mtls = method === 'tls_client_auth' || method === 'self_signed_tls_client_auth';
  if ((mtls || client.tls_client_certificate_bound_access_tokens) && !config.tls) {
    add(
      mtls ? 'token_endpoint_auth_method' : 'tls_client_certificate_bound_access_tokens',
      'mutual TLS needs the tls section (a listener or a proxy header)',
    );
  }
  const given = TLS_SUBJECT_FIELDS.filter((field) => client[field] !== undefined);
  if (method === 'tls_client_auth') {
    if (given.length !== 1) {
      add(
        'token_endpoint_auth_method',
        `tls_client_auth needs exactly one of ${TLS_SUBJECT_FIELDS.join(', ')} (RFC 8705 §2.1.2)`,
      );
    }
    if (config.tls && config.tls.client_ca_file === undefined) {
      add(
        'token_endpoint_auth_method',
        'tls_client_auth needs tls.client_ca_file, the CAs its certificates chain to',
      );
    }
  } else {
    for (const field of given)
      add(field, 'used only with token_endpoint_auth_method tls_client_auth; remove it');
  }
  if (method === 'self_signed_tls_client_auth' && !client.jwks && !client.jwks_uri) {
    add('jwks', 'self_signed_tls_client_auth needs the client’s certificates or keys in jwks or jwks_uri');
  }
  if (client.tls_client_auth_subject_dn !== undefined) {
    try {
      parseDistinguishedName(client.tls_client_auth_subject_dn);
    } catch (error) {
      add('tls_client_auth_subject_dn', `not an RFC 4514 distinguished name: ${(error as Error).message}`);
    }
  }
  if (client.tls_client_auth_san_ip !== undefined && isIP(client.tls_client_auth_san_ip) === 0) {
    add('tls_client_auth_san_ip', 'must be an IPv4 or IPv6 address');
  }
}

function baseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `'${value}' is not an absolute URL`;
  }
  if (url.protocol !== 'https:') return 'must be an https URL: mutual TLS needs TLS';
  if (url.search || url.hash || value.includes('?') || value.includes('#'))
    return 'must not have a query or fragment';
  if (value.endsWith('/')) return 'must not end with a slash';
  return undefined;
}
