import { checkAccountSemantics } from './account-semantics.js';
import type { GatehouseConfig } from './schema.js';

type Problem = { key: string; message: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Rules a JSON schema cannot say: URL shapes, uniqueness, and metadata that must agree. */
export function checkConfigSemantics(config: GatehouseConfig): Problem[] {
  const problems: Problem[] = [];
  checkIssuer(config.issuer, problems);

  const resourceIds = new Set<string>();
  const allScopes = new Set<string>();
  config.resources.forEach((resource, i) => {
    const key = `resources[${i}].id`;
    const problem = resourceUriProblem(resource.id);
    if (problem) problems.push({ key, message: problem });
    if (resourceIds.has(resource.id)) problems.push({ key, message: `duplicate resource '${resource.id}'` });
    resourceIds.add(resource.id);
    for (const scope of resource.scopes) allScopes.add(scope);
  });

  const clientIds = new Set<string>();
  config.clients.forEach((client, i) => {
    const at = (field: string) => `clients[${i}].${field}`;
    if (clientIds.has(client.client_id)) {
      problems.push({ key: at('client_id'), message: `duplicate client_id '${client.client_id}'` });
    }
    clientIds.add(client.client_id);
    const method = client.token_endpoint_auth_method;
    if ((method === 'client_secret_basic' || method === 'client_secret_post') && !client.client_secret) {
      problems.push({
        key: at('client_secret'),
        message: `required for token_endpoint_auth_method ${method} (generate one: openssl rand -base64 32)`,
      });
    }
    if (method !== 'client_secret_basic' && method !== 'client_secret_post' && client.client_secret) {
      problems.push({
        key: at('client_secret'),
        message: `not used with token_endpoint_auth_method ${method}; remove it`,
      });
    }
    if (method === 'private_key_jwt' && !client.jwks && !client.jwks_uri) {
      problems.push({
        key: at('jwks'),
        message: 'private_key_jwt needs the client’s public keys in jwks or jwks_uri',
      });
    }
    if (client.jwks && client.jwks_uri) {
      problems.push({ key: at('jwks_uri'), message: 'give jwks or jwks_uri, not both (RFC 7591 §2)' });
    }
    if (client.jwks_uri && !client.jwks_uri.startsWith('https://')) {
      problems.push({ key: at('jwks_uri'), message: 'must be an https URL' });
    }
    if (method === 'none' && client.grant_types.includes('client_credentials')) {
      problems.push({
        key: at('token_endpoint_auth_method'),
        message:
          'client_credentials is only for confidential clients (RFC 6749 §4.4); use a secret or private_key_jwt',
      });
    }
    for (const scope of client.scope?.split(' ').filter(Boolean) ?? []) {
      if (!allScopes.has(scope)) {
        problems.push({
          key: at('scope'),
          message: `'${scope}' is not a scope of any resource in resources[]`,
        });
      }
    }
  });

  config.resources.forEach((resource, i) => {
    for (const clientId of resource.introspection_clients) {
      if (!clientIds.has(clientId)) {
        problems.push({
          key: `resources[${i}].introspection_clients`,
          message: `no client '${clientId}' in clients[]`,
        });
      }
    }
  });
  problems.push(...checkAccountSemantics(config));
  return problems;
}

function checkIssuer(issuer: string, problems: Problem[]): void {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    problems.push({ key: 'issuer', message: `'${issuer}' is not an absolute URL` });
    return;
  }
  // RFC 8414 §2: https, no query, no fragment.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    problems.push({ key: 'issuer', message: 'must use https (http is allowed only for localhost)' });
  }
  if (url.search || url.hash || issuer.includes('?') || issuer.includes('#')) {
    problems.push({ key: 'issuer', message: 'must not have a query or fragment (RFC 8414 §2)' });
  }
  if (issuer.endsWith('/')) problems.push({ key: 'issuer', message: 'must not end with a slash' });
}

/** RFC 8707 §2: an absolute URI without a fragment. */
export function resourceUriProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `'${value}' is not an absolute URI`;
  }
  if (url.hash || value.includes('#')) return 'must not contain a fragment (RFC 8707 §2)';
  return undefined;
}
