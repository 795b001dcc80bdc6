import { isLoopbackIpUri } from '../authorization/redirect-uri.js';
import { OPENID_SCOPES } from '../authorization/scope.js';
import type { ClientConfig, GatehouseConfig } from './schema.js';

const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

type Problem = { key: string; message: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The rules of `clients[]` a JSON schema cannot say; every message names the key and the fix. */
export function checkClientSemantics(config: GatehouseConfig): Problem[] {
  const problems: Problem[] = [];
  const allScopes = new Set(config.resources.flatMap((resource) => resource.scopes));
  const clientIds = new Set<string>();
  config.clients.forEach((client, i) => {
    const add = (field: string, message: string | undefined) => {
      if (message !== undefined) problems.push({ key: `clients[${i}].${field}`, message });
    };
    if (clientIds.has(client.client_id)) add('client_id', `duplicate client_id '${client.client_id}'`);
    clientIds.add(client.client_id);
    checkAuthentication(client, add);
    checkGrants(client, add);
    for (const [j, uri] of client.redirect_uris.entries()) {
      add(`redirect_uris[${j}]`, redirectUriProblem(uri, client));
    }
    for (const [j, uri] of client.post_logout_redirect_uris.entries()) {
      add(`post_logout_redirect_uris[${j}]`, redirectUriProblem(uri, client));
    }
    for (const field of ['backchannel_logout_uri', 'client_uri', 'logo_uri'] as const) {
      const uri = client[field];
      if (uri !== undefined) add(field, httpsUrlProblem(uri));
    }
    // A client's scope may list OpenID scopes beside API scopes: listing one limits the client
    // to the OpenID scopes it lists (grantableScopes in authorization/scope.ts).
    for (const scope of client.scope?.split(' ').filter(Boolean) ?? []) {
      if (!allScopes.has(scope) && !OPENID_SCOPES.has(scope)) {
        add('scope', `'${scope}' is not a scope of any resource in resources[]`);
      }
    }
    // OpenID scopes are about a person signing in: meaningless for a client acting on its own.
    const openIdScopes = client.scope?.split(' ').filter((scope) => OPENID_SCOPES.has(scope)) ?? [];
    const signsPeopleIn =
      client.grant_types.includes('authorization_code') ||
      client.grant_types.includes(DEVICE_CODE_GRANT_TYPE);
    if (openIdScopes.length > 0 && !signsPeopleIn) {
      add(
        'scope',
        `${openIdScopes.join(' ')} need authorization_code or ${DEVICE_CODE_GRANT_TYPE} in grant_types; add one or remove them`,
      );
    }
    // OIDC Core §11: offline_access asks for a refresh token, which only refresh_token gives.
    if (
      client.scope?.split(' ').includes('offline_access') &&
      !client.grant_types.includes('refresh_token')
    ) {
      add('scope', 'offline_access needs refresh_token in grant_types; add it or remove offline_access');
    }
  });
  return problems;
}

type Add = (field: string, message: string | undefined) => void;

function checkAuthentication(client: ClientConfig, add: Add): void {
  const method = client.token_endpoint_auth_method;
  const usesSecret = method === 'client_secret_basic' || method === 'client_secret_post';
  if (usesSecret && !client.client_secret) {
    add(
      'client_secret',
      `required for token_endpoint_auth_method ${method} (generate one: openssl rand -base64 32)`,
    );
  }
  if (!usesSecret && client.client_secret) {
    add('client_secret', `not used with token_endpoint_auth_method ${method}; remove it`);
  }
  if (method === 'private_key_jwt' && !client.jwks && !client.jwks_uri) {
    add('jwks', 'private_key_jwt needs the client’s public keys in jwks or jwks_uri');
  }
  if (client.jwks && client.jwks_uri) add('jwks_uri', 'give jwks or jwks_uri, not both (RFC 7591 §2)');
  if (client.jwks_uri && !client.jwks_uri.startsWith('https://')) add('jwks_uri', 'must be an https URL');
  if (method === 'none' && client.grant_types.includes('client_credentials')) {
    add(
      'token_endpoint_auth_method',
      'client_credentials is only for confidential clients (RFC 6749 §4.4); use a secret or private_key_jwt',
    );
  }
}

function checkGrants(client: ClientConfig, add: Add): void {
  const usesCode = client.grant_types.includes('authorization_code');
  if (usesCode && client.redirect_uris.length === 0) {
    add('redirect_uris', 'authorization_code needs at least one redirect URI (the app’s callback URL)');
  }
  // OAuth 2.1 §4.3: refresh tokens come only from a person's authorization here: the code
  // flow or the device grant (RFC 8628).
  const usesDevice = client.grant_types.includes(DEVICE_CODE_GRANT_TYPE);
  if (client.grant_types.includes('refresh_token') && !usesCode && !usesDevice) {
    add(
      'grant_types',
      `refresh_token needs authorization_code or ${DEVICE_CODE_GRANT_TYPE} too; add one or remove refresh_token`,
    );
  }
  // RFC 7591 §2.1: response_type code goes with grant_type authorization_code.
  if (client.response_types !== undefined && !usesCode) {
    add('response_types', 'code needs grant_types authorization_code; add it or remove response_types');
  }
}

/**
 * A registered redirect (or post-logout redirect) URI: absolute, no fragment (RFC 6749 §3.1.2).
 * Web apps use https, http only on this machine. Native apps (RFC 8252 §7) use a loopback IP
 * literal over http, a private-use scheme named after a reverse domain, or https.
 */
export function redirectUriProblem(
  uri: string,
  client: Pick<ClientConfig, 'application_type'>,
): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `'${uri}' is not an absolute URI`;
  }
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 §3.1.2)';
  const scheme = url.protocol.slice(0, -1);
  if (client.application_type === 'web') {
    if (scheme === 'https' || (scheme === 'http' && LOOPBACK_HOSTS.has(url.hostname))) return undefined;
    return 'web clients need an https URL (http only for localhost); for a desktop or mobile app set application_type: native';
  }
  if (scheme === 'https') return undefined;
  if (scheme === 'http') {
    if (isLoopbackIpUri(uri)) return undefined;
    if (url.hostname === 'localhost') {
      // RFC 8252 §8.3: "use of localhost is NOT RECOMMENDED"; a firewall or hosts file may
      // resolve it elsewhere, and it may listen on the wrong interface.
      return `use http://127.0.0.1${url.port ? `:${url.port}` : ''}${url.pathname} or http://[::1] instead of localhost (RFC 8252 §8.3)`;
    }
    return 'native clients may use http only with the loopback address 127.0.0.1 or [::1] (RFC 8252 §7.3)';
  }
  // RFC 8252 §7.1: "a URI scheme based on a domain name under their control, expressed in
  // reverse order", e.g. com.example.app:/callback.
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(scheme)) {
    return `the scheme '${scheme}' must be a reverse domain name the app owns, such as com.example.app:/callback (RFC 8252 §7.1)`;
  }
  return undefined;
}

/** An https URL (http only on this machine), for URLs Gatehouse calls or links to. */
function httpsUrlProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `'${uri}' is not an absolute URL`;
  }
  if (uri.includes('#')) return 'must not contain a fragment';
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    return undefined;
  }
  return 'must be an https URL (http only for localhost)';
}
