import type { FastifyRequest } from 'fastify';
import type { IssuerContext } from '../context.js';
import { type Interaction, readInteraction } from './interaction-cookie.js';
import { clientDisplayName, loadInteraction } from './load-interaction.js';

/** A sign-in the login page serves, and where the browser goes once it succeeds. */
export interface SignIn {
  interaction: Interaction;
  /** Absolute URL the browser is sent to after a successful sign-in; never from the request. */
  continueAt: string;
  /** Whether the interaction ends with the sign-in (its cookie is then cleared). */
  endsInteraction: boolean;
  /** The client the sign-in is for, when it is for one. */
  clientName?: string;
  /** The client's verified redirect URI: the login POST may end there (CSP form-action). */
  redirectUri?: string;
  /** The request's `login_hint`, to prefill the username. */
  loginHint?: string;
}

/**
 * The sign-in the interaction `id` names: an authorization request (validated again against
 * its client, resumed at /authorize) or a sign-in to the account page (continued at /account,
 * after which nothing remains of it). Undefined when the cookie is missing, forged or expired.
 */
export async function loadSignIn(
  ctx: IssuerContext,
  request: FastifyRequest,
  id: string | undefined,
): Promise<SignIn | undefined> {
  const loaded = await loadInteraction(ctx, request, id);
  if (loaded) {
    return {
      interaction: loaded.interaction,
      continueAt: `${ctx.config.issuer}/authorize?interaction=${loaded.interaction.id}`,
      endsInteraction: false,
      clientName: clientDisplayName(loaded.client),
      redirectUri: loaded.request.redirectUri,
      ...(loaded.request.loginHint !== undefined ? { loginHint: loaded.request.loginHint } : {}),
    };
  }
  const account = await readInteraction(ctx, request.headers.cookie, id, 'account');
  if (!account) return undefined;
  return { interaction: account, continueAt: `${ctx.config.issuer}/account`, endsInteraction: true };
}
