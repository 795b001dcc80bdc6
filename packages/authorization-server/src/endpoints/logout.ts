import { epochSeconds } from '@gatehouse/core';
import type { ClientRecord } from '@gatehouse/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ParamsLike } from '../authorization/request-params.js';
import type { IssuerContext } from '../context.js';
import { FormParams, formParams } from '../http/form-params.js';
import { clientDisplayName } from '../interaction/load-interaction.js';
import { postLogoutRedirect, validateLogoutRequest } from '../logout/logout-request.js';
import {
  createPendingLogout,
  openPendingLogout,
  type PendingLogout,
  sealPendingLogout,
} from '../logout/pending-logout.js';
import { CSRF_FIELD } from '../pages/form-fields.js';
import { assertSafeUrl, safeUrl } from '../pages/html.js';
import {
  renderLogoutConfirmPage,
  renderSignedOutPage,
  renderStillSignedInPage,
} from '../pages/logout-page.js';
import {
  isFormTokenValid,
  issueFormToken,
  registerPageErrorHandler,
  sendErrorPage,
  sendPage,
  sendRedirect,
} from '../pages/page-reply.js';
import { clearedSessionCookie, readSessionCookie } from '../sessions/session-cookie.js';
import { endSession, readSession } from '../sessions/session-service.js';
import { ACCOUNT_PATH } from './account.js';

/** The confirmation form's fields (pages/logout-page.ts). */
const LOGOUT_ID = 'logout_id';
const DECISION = 'decision';

/**
 * The end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0), GET and POST (§2: "The
 * OP MUST support the use of the HTTP GET and POST methods"). A request is verified, then the
 * person is asked; only the confirmation form's POST, with its CSRF token, ends the session.
 * So a link or an auto-submitted form on another site can show the question but never sign
 * anyone out (§6, "the OP SHOULD ask the End-User whether to log out": always here). Without
 * a live session there is nothing to end or protect, and the request completes at once.
 */
export function logoutEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.register(async (scoped) => {
    // A malformed request here (a repeated parameter, an unreadable body) is a sign-out that
    // did not happen, and its page says so.
    registerPageErrorHandler(scoped, 'invalid_logout_request');
    scoped.get('/logout', (request, reply) =>
      requestLogout(ctx, request, reply, FormParams.parse(rawQuery(request))),
    );
    scoped.post('/logout', (request, reply) => {
      const form = formParams(request);
      // A client's POST (§2, form-serialized) carries none of the confirmation's fields.
      const isConfirmation = form.has(LOGOUT_ID) || form.has(DECISION) || form.has(CSRF_FIELD);
      return isConfirmation
        ? decideLogout(ctx, request, reply, form)
        : requestLogout(ctx, request, reply, form);
    });
  });
}

/** A client sends the person here: verify, then ask (or finish at once without a session). */
async function requestLogout(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  params: ParamsLike,
): Promise<FastifyReply> {
  const result = await validateLogoutRequest(ctx, params);
  if (!result.ok) {
    const { problem } = result;
    request.log.info({ detail: problem.detail }, 'logout request refused');
    return sendErrorPage(request, reply, problem);
  }
  const { client, postLogoutRedirectUri, state, lang } = result.request;
  const cookie = readSessionCookie(request.headers.cookie);
  const lookup = await readSession(ctx, cookie);
  const pending = createPendingLogout({
    ...(client ? { clientId: client.clientId } : {}),
    ...(postLogoutRedirectUri !== undefined ? { postLogoutRedirectUri } : {}),
    ...(state !== undefined ? { state } : {}),
    lang,
  });
  if (!lookup.ok) return finishLogout(ctx, reply, pending, client, cookie !== undefined);

  const logoutId = await sealPendingLogout(ctx, pending);
  const { csrfToken, cookies } = issueFormToken(request, {
    key: ctx.secrets.csrf,
    purpose: `logout:${logoutId}`,
    now: epochSeconds(ctx.clock),
  });
  const user = await ctx.store.users.findById(lookup.session.userId);
  const page = renderLogoutConfirmPage({
    action: assertSafeUrl(ctx.endpoints.endSession),
    csrfToken,
    logoutId,
    clientName: client && clientDisplayName(client),
    postLogoutRedirectUri,
    userName: user?.name ?? user?.username,
    lang,
  });
  return sendPage(reply, page, cookies);
}

/** The confirmation form: CSRF first, then the sealed request, then the decision. */
async function decideLogout(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  form: FormParams,
): Promise<FastifyReply> {
  const logoutId = form.get(LOGOUT_ID);
  const csrf = { key: ctx.secrets.csrf, purpose: `logout:${logoutId ?? ''}`, now: epochSeconds(ctx.clock) };
  if (!isFormTokenValid(request, form.get(CSRF_FIELD), csrf)) {
    return sendErrorPage(request, reply, { status: 403, kind: 'csrf' });
  }
  const pending = await openPendingLogout(ctx, logoutId);
  if (!pending) return sendErrorPage(request, reply, { status: 400, kind: 'expired' });
  const decision = form.get(DECISION);
  if (decision !== 'logout' && decision !== 'cancel') {
    return sendErrorPage(request, reply, {
      status: 400,
      kind: 'invalid_logout_request',
      description: 'no decision',
    });
  }
  const client = pending.clientId === undefined ? undefined : await ctx.findClient(pending.clientId);
  if (decision === 'cancel') {
    const home = client?.metadata['client_uri'];
    const page = renderStillSignedInPage({
      clientName: client && clientDisplayName(client),
      returnUrl: typeof home === 'string' ? safeUrl(home) : null,
      lang: pending.lang,
    });
    return sendPage(reply, page);
  }
  const cookie = readSessionCookie(request.headers.cookie);
  const lookup = await readSession(ctx, cookie);
  // The session may have ended meanwhile (another tab, a timeout): signing out still completes.
  if (lookup.ok) await endSession(ctx, lookup.session.id, 'logout');
  return finishLogout(ctx, reply, stillRegistered(pending, client), client, cookie !== undefined);
}

/**
 * The end of a logout: the session cookie cleared, then the client's verified
 * post_logout_redirect_uri with its `state` (§3), or the signed-out page, which leads back to
 * the client's home page or, without one, to signing in again at the account page.
 */
function finishLogout(
  ctx: IssuerContext,
  reply: FastifyReply,
  pending: PendingLogout,
  client: ClientRecord | undefined,
  hadCookie: boolean,
): FastifyReply {
  const cookies = hadCookie ? [clearedSessionCookie()] : [];
  if (pending.postLogoutRedirectUri !== undefined) {
    return sendRedirect(reply, postLogoutRedirect(pending.postLogoutRedirectUri, pending.state), cookies);
  }
  const home = client?.metadata['client_uri'];
  const page = renderSignedOutPage({
    clientName: client && clientDisplayName(client),
    returnUrl: typeof home === 'string' ? safeUrl(home) : null,
    signInAgainUrl: assertSafeUrl(`${ctx.config.issuer}${ACCOUNT_PATH}`),
    lang: pending.lang,
  });
  return sendPage(reply, page, cookies);
}

/**
 * The pending logout without its redirect when the client no longer registers that URI (its
 * registration changed while the person was deciding): §3 allows only registered ones.
 */
function stillRegistered(pending: PendingLogout, client: ClientRecord | undefined): PendingLogout {
  const uri = pending.postLogoutRedirectUri;
  if (uri === undefined) return pending;
  const registered = client?.metadata['post_logout_redirect_uris'];
  if (Array.isArray(registered) && registered.includes(uri)) return pending;
  const { postLogoutRedirectUri: _dropped, ...rest } = pending;
  return rest;
}

function rawQuery(request: FastifyRequest): string {
  const url = request.raw.url ?? '';
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}
