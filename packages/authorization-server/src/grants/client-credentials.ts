import { OAuthError } from '@gatehouse/core';
import { resolveResource } from '../authorization/resource.js';
import { allowedScopes, parseScope } from '../authorization/scope.js';
import { issueAccessToken } from '../tokens/access-token.js';
import type { Grant } from './grant.js';

/**
 * RFC 6749 §4.4. The client acts on its own behalf, so the token's subject is the client.
 */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  parameters: ['scope', 'resource'],
  async handle(ctx, { client, confidential, params }) {
    // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential clients."
    if (!confidential) {
      throw new OAuthError('unauthorized_client', 'client_credentials requires a confidential client');
    }
    const requested = parseScope(params.get('scope'));
    const allowed = allowedScopes(client.metadata.scope);
    const denied = requested.filter((s) => !allowed.has(s));
    if (denied.length > 0) {
      throw new OAuthError('invalid_scope', `scope not allowed for this client: ${denied.join(' ')}`);
    }
    const resource = resolveResource(
      ctx.resources,
      params.getAll('resource'),
      requested.length ? requested : [...allowed],
    );
    let granted: string[];
    if (requested.length > 0) {
      const foreign = requested.filter((s) => !resource.scopes.has(s));
      if (foreign.length > 0) {
        throw new OAuthError('invalid_scope', `scope not defined by the resource: ${foreign.join(' ')}`);
      }
      granted = requested;
    } else {
      // RFC 6749 §3.3: without `scope`, a pre-defined default applies: all the client may have here.
      granted = [...allowed].filter((s) => resource.scopes.has(s));
      // An API that checks only the audience would accept a scope-less token as if it meant
      // something; a client with nothing to be granted there gets no token for it.
      if (granted.length === 0) {
        throw new OAuthError('invalid_scope', 'the client may not be granted any scope of this resource');
      }
    }
    const issued = await issueAccessToken(ctx, {
      clientId: client.clientId,
      subject: client.clientId,
      scope: granted,
      resource,
      extra: { grant_type: 'client_credentials' },
    });
    ctx.metrics.tokensIssued.inc({ grant_type: 'client_credentials', format: issued.format });
    return {
      access_token: issued.token,
      token_type: issued.tokenType,
      expires_in: issued.expiresIn,
      scope: issued.scope,
    };
  },
};
