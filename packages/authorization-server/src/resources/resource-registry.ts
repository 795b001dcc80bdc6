import type { GatehouseConfig, ResourceConfig } from '../config/schema.js';

/** A protected API as the issuer uses it. */
export interface Resource {
  id: string;
  scopes: ReadonlySet<string>;
  tokenFormat: 'jwt' | 'opaque';
  accessTokenLifetime: number;
  introspectionClients: ReadonlySet<string>;
}

export interface ResourceRegistry {
  find(id: string): Resource | undefined;
  /** Resources that define any of the given scopes. */
  definingAny(scopes: Iterable<string>): Resource[];
  all(): Resource[];
  /** The longest access-token lifetime of any resource: how long a retired key must verify. */
  longestLifetime(): number;
}

export function createResourceRegistry(config: GatehouseConfig): ResourceRegistry {
  const toResource = (r: ResourceConfig): Resource => ({
    id: r.id,
    scopes: new Set(r.scopes),
    tokenFormat: r.token_format,
    accessTokenLifetime: r.access_token_lifetime ?? config.tokens.access_token_lifetime,
    introspectionClients: new Set(r.introspection_clients),
  });
  const list = config.resources.map(toResource);
  const byId = new Map(list.map((r) => [r.id, r]));
  return {
    find: (id) => byId.get(id),
    definingAny: (scopes) => {
      const wanted = [...scopes];
      return list.filter((r) => wanted.some((s) => r.scopes.has(s)));
    },
    all: () => list,
    longestLifetime: () =>
      Math.max(config.tokens.access_token_lifetime, ...list.map((r) => r.accessTokenLifetime)),
  };
}

/** Seconds a retired signing key stays published: the longest token lifetime plus clock skew. */
export function signingKeyRetention(config: GatehouseConfig): number {
  return createResourceRegistry(config).longestLifetime() + 60;
}
