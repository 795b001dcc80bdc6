import type { ClientRecord } from '@gatehouse/store';
import type { ParamsLike } from '../authorization/request-params.js';
import { pageLanguage, parseUiLocales } from '../authorization/ui-locales.js';
import type { IssuerContext } from '../context.js';
import type { ErrorPageKind } from '../pages/error-page.js';
import { verifyIdTokenHint } from './id-token-hint.js';

/** A verified RP-initiated logout request (RP-Initiated Logout 1.0 §2). */
export interface LogoutRequest {
  /** The client that asked, known from `id_token_hint` or `client_id`. */
  client: ClientRecord | undefined;
  /** One of the client's registered `post_logout_redirect_uris`, exactly as registered. */
  postLogoutRedirectUri: string | undefined;
  /** Only kept with a redirect, which is where it goes back (§3). */
  state: string | undefined;
  /** The pages' language, from `ui_locales` (§2: "End-User's preferred languages"). */
  lang: string;
}

/** Why the request was refused: shown as an error page, never redirected (§4). */
export interface LogoutRequestProblem {
  status: 400;
  kind: Extract<ErrorPageKind, 'invalid_logout_request' | 'unknown_client' | 'invalid_redirect_uri'>;
  /** Client-safe. */
  description: string;
  /** For the log only. */
  detail: string;
}

export type LogoutRequestResult =
  | { ok: true; request: LogoutRequest }
  | { ok: false; problem: LogoutRequestProblem };

type LogoutRequestContext = Pick<IssuerContext, 'config' | 'keys' | 'findClient'>;

/**
 * Validates the parameters of a logout request in the order §2 and §3 list them. `ui_locales`
 * picks the pages' language among the supported ones, never failing (as at /authorize);
 * `logout_hint` is accepted and needs nothing: the confirmation page always names the account
 * it signs out, so the person sees which one.
 * Per §4, when a check fails "any operations requiring the information that failed to
 * correctly validate MUST NOT be performed and the OP MUST notify the End-User of the error":
 * the caller shows the problem and neither ends a session nor redirects.
 */
export async function validateLogoutRequest(
  ctx: LogoutRequestContext,
  params: ParamsLike,
): Promise<LogoutRequestResult> {
  const fail = (kind: LogoutRequestProblem['kind'], description: string, detail = description) => ({
    ok: false as const,
    problem: { status: 400 as const, kind, description, detail },
  });

  const token = params.get('id_token_hint');
  let hinted: ClientRecord | undefined;
  if (token !== undefined) {
    // §2: "the OP MUST validate that it was the issuer of the ID Token."
    const verified = await verifyIdTokenHint(ctx, token);
    if (!verified.ok) {
      return fail(
        'invalid_logout_request',
        'the id_token_hint is not an ID token issued here',
        verified.reason,
      );
    }
    hinted = verified.hint.client;
  }

  const clientId = params.get('client_id');
  let named: ClientRecord | undefined;
  if (clientId !== undefined) {
    named = await ctx.findClient(clientId);
    if (!named) return fail('unknown_client', 'unknown client_id', `client_id ${clientId} is not registered`);
    // §2: "When both client_id and id_token_hint are present, the OP MUST verify that the
    // Client Identifier matches the one used when issuing the ID Token."
    if (hinted && hinted.clientId !== named.clientId) {
      return fail(
        'invalid_logout_request',
        'client_id does not match the id_token_hint',
        `client_id ${named.clientId}, id_token_hint for ${hinted.clientId}`,
      );
    }
  }
  const client = hinted ?? named;
  const lang = pageLanguage(parseUiLocales(params.get('ui_locales')));

  const uri = params.get('post_logout_redirect_uri');
  if (uri === undefined) {
    return { ok: true, request: { client, postLogoutRedirectUri: undefined, state: undefined, lang } };
  }
  // §3: redirection needs the client's registration to check the URI against, which only
  // id_token_hint or client_id can name.
  if (!client) {
    return fail('invalid_logout_request', 'post_logout_redirect_uri needs an id_token_hint or a client_id');
  }
  // §3: "The OP MUST NOT perform post-logout redirection if the post_logout_redirect_uri value
  // supplied does not exactly match one of the previously registered post_logout_redirect_uris
  // values." Exact: simple string comparison, as for redirect_uri (RFC 6749 §3.1.2.3).
  const registered = client.metadata['post_logout_redirect_uris'];
  if (!Array.isArray(registered) || !registered.includes(uri)) {
    return fail(
      'invalid_redirect_uri',
      'post_logout_redirect_uri is not registered for this client',
      `client ${client.clientId}: ${uri.slice(0, 200)} is not registered`,
    );
  }
  return { ok: true, request: { client, postLogoutRedirectUri: uri, state: params.get('state'), lang } };
}

/**
 * The redirect back to the client (§3): the registered URI with `state` added to its query
 * when the client sent one. Built by appending, so the registered URI's own query is kept
 * byte for byte (it has no fragment: config/client-semantics.ts refuses one).
 */
export function postLogoutRedirect(uri: string, state: string | undefined): string {
  if (state === undefined) return uri;
  const separator = uri.includes('?') ? (uri.endsWith('?') || uri.endsWith('&') ? '' : '&') : '?';
  return `${uri}${separator}state=${encodeURIComponent(state)}`;
}
