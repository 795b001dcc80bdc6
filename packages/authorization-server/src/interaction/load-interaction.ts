import { isOAuthError } from '@gatehouse/core';
import type { ClientRecord } from '@gatehouse/store';
import type { FastifyRequest } from 'fastify';
import {
  type AuthorizationRequest,
  validateClientAndRedirect,
  validateRequest,
} from '../authorization/authorization-request.js';
import { isInvalidRedirect } from '../authorization/redirect-uri.js';
import { paramsFromRecord } from '../authorization/request-params.js';
import { grantableScopes } from '../authorization/scope.js';
import type { IssuerContext } from '../context.js';
import { type Interaction, readInteraction } from './interaction-cookie.js';

/** A pending interaction with its request validated again against the client as it is now. */
export interface LoadedInteraction {
  interaction: Interaction;
  request: AuthorizationRequest;
  client: ClientRecord;
}

/**
 * The interaction `id` names, from this browser's interaction cookie. Undefined when there is
 * none, or when its request no longer validates (the client was removed or changed): the
 * person then sees the "expired" page and starts again at the application.
 */
export async function loadInteraction(
  ctx: IssuerContext,
  request: FastifyRequest,
  id: string | undefined,
): Promise<LoadedInteraction | undefined> {
  const interaction = await readInteraction(ctx, request.headers.cookie, id);
  if (!interaction) return undefined;
  const params = paramsFromRecord(interaction.params);
  const clientId = params.get('client_id');
  const client = clientId === undefined ? undefined : await ctx.findClient(clientId);
  const target = validateClientAndRedirect(params, client);
  if (!client || isInvalidRedirect(target)) return undefined;
  try {
    const validated = validateRequest(params, target, { pushed: interaction.pushed });
    const scope = grantableScopes(client.metadata.scope, validated.scope);
    return { interaction, request: { ...validated, scope }, client };
  } catch (error) {
    if (isOAuthError(error)) return undefined;
    throw error;
  }
}

/** The name a person knows the client by. */
export function clientDisplayName(client: ClientRecord): string {
  const name = client.metadata['client_name'];
  return typeof name === 'string' && name !== '' ? name : client.clientId;
}
