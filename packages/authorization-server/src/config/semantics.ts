import { checkAccountSemantics } from './account-semantics.js';
import { checkClientSemantics } from './client-semantics.js';
import { checkDeviceSemantics } from './device-semantics.js';
import type { GatehouseConfig } from './schema.js';
import { checkSessionSemantics } from './session-semantics.js';
import { checkTlsSemantics } from './tls-semantics.js';

type Problem = { key: string; message: string };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Rules a JSON schema cannot say: URL shapes, uniqueness, and metadata that must agree. */
export function checkConfigSemantics(config: GatehouseConfig): Problem[] {
  const problems: Problem[] = [];
  checkIssuer(config.issuer, problems);

  const resourceIds = new Set<string>();
  config.resources.forEach((resource, i) => {
    const key = `resources[${i}].id`;
    const problem = resourceUriProblem(resource.id);
    if (problem) problems.push({ key, message: problem });
    if (resourceIds.has(resource.id)) problems.push({ key, message: `duplicate resource '${resource.id}'` });
    resourceIds.add(resource.id);
  });

  problems.push(...checkClientSemantics(config));
  const clientIds = new Set(config.clients.map((client) => client.client_id));
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
  problems.push(...checkSessionSemantics(config));
  problems.push(...checkDeviceSemantics(config));
  problems.push(...checkTlsSemantics(config));
  const management = config.management?.port;
  if (management !== undefined && management !== 0) {
    if (management === config.listen.port) {
      problems.push({ key: 'management.port', message: 'must differ from listen.port' });
    }
    if (management === config.tls?.port) {
      problems.push({ key: 'management.port', message: 'must differ from tls.port' });
    }
  }
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
