import { OAuthError } from '@gatehouse/core';
import { resourceUriProblem } from '../config/semantics.js';
import type { Resource, ResourceRegistry } from '../resources/resource-registry.js';

/**
 * Picks the one API a token is for. RFC 8707 §2: `resource` must be an absolute URI without a
 * fragment, and the server answers invalid_target for one it does not know or will not serve.
 * Gatehouse issues every access token for exactly one audience, so a token stolen from one API
 * cannot be replayed at another. Without `resource`, the scopes must point at exactly one API.
 */
export function resolveResource(registry: ResourceRegistry, requested: string[], scopes: string[]): Resource {
  if (requested.length > 1) {
    throw new OAuthError('invalid_target', 'request one resource per access token');
  }
  const [id] = requested;
  if (id !== undefined) {
    const problem = resourceUriProblem(id);
    if (problem) throw new OAuthError('invalid_target', `resource ${problem}`);
    const resource = registry.find(id);
    if (!resource) throw new OAuthError('invalid_target', 'the resource is not known to this server');
    return resource;
  }
  const candidates = registry.definingAny(scopes);
  if (candidates.length === 1) return candidates[0]!;
  throw new OAuthError(
    'invalid_target',
    candidates.length === 0
      ? 'name the API with the resource parameter (RFC 8707)'
      : 'the scopes belong to several APIs; name one with the resource parameter (RFC 8707)',
  );
}

/**
 * The authorization request's `resource` values (RFC 8707 §2, repeatable there: each token is
 * later issued for one of them) must all be APIs this server serves; else invalid_target.
 */
export function assertKnownResources(registry: ResourceRegistry, requested: readonly string[]): void {
  for (const id of requested) {
    if (!registry.find(id))
      throw new OAuthError('invalid_target', 'the resource is not known to this server');
  }
}
