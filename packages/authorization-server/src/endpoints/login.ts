import { epochSeconds } from '@gatehouse/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { interactionLanguage } from '../authorization/ui-locales.js';
import type { IssuerContext } from '../context.js';
import { formParams } from '../http/form-params.js';
import { clearedInteractionCookie } from '../interaction/interaction-cookie.js';
import { loadSignIn, type SignIn } from '../interaction/load-sign-in.js';
import { CSRF_FIELD } from '../pages/form-fields.js';
import { assertSafeUrl } from '../pages/html.js';
import { type LoginPageInput, renderLoginPage } from '../pages/login-page.js';
import {
  isFormTokenValid,
  issueFormToken,
  registerPageErrorHandler,
  sendErrorPage,
  sendPage,
  sendRedirect,
} from '../pages/page-reply.js';
import { signInWithPassword } from '../sessions/password-sign-in.js';
import { sessionCookie } from '../sessions/session-cookie.js';

/**
 * The sign-in page of an interaction. GET shows the form; POST checks the CSRF token first
 * (before a password is checked or an attempt counted, docs/pages.md), then the password, and
 * on success starts a session and sends the browser on: back to /authorize to resume the
 * request, or to /account when the sign-in started there.
 */
export function loginEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.register(async (scoped) => {
    registerPageErrorHandler(scoped);
    loginRoutes(scoped, ctx);
  });
}

function loginRoutes(app: FastifyInstance, ctx: IssuerContext): void {
  app.get('/login', async (request, reply) => {
    const id = (request.query as Record<string, unknown>)['interaction'];
    const signIn = await loadSignIn(ctx, request, typeof id === 'string' ? id : undefined);
    if (!signIn) return sendErrorPage(request, reply, { status: 400, kind: 'expired' });
    return sendLoginPage(ctx, request, reply, signIn, { username: signIn.loginHint });
  });

  app.post('/login', async (request, reply) => {
    const form = formParams(request);
    const id = form.get('interaction_id');
    const csrf = { key: ctx.secrets.csrf, purpose: `login:${id ?? ''}`, now: epochSeconds(ctx.clock) };
    if (!isFormTokenValid(request, form.get(CSRF_FIELD), csrf)) {
      return sendErrorPage(request, reply, { status: 403, kind: 'csrf' });
    }
    const signIn = await loadSignIn(ctx, request, id);
    if (!signIn) return sendErrorPage(request, reply, { status: 400, kind: 'expired' });
    const result = await signInWithPassword(ctx, request, form);
    if (!result.ok) {
      return sendLoginPage(ctx, request, reply, signIn, { username: result.username, error: result.error });
    }
    const cookies = [sessionCookie(result.cookieValue)];
    if (signIn.endsInteraction) cookies.push(clearedInteractionCookie(signIn.interaction.id));
    return sendRedirect(reply, signIn.continueAt, cookies);
  });
}

function sendLoginPage(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  signIn: SignIn,
  extra: Pick<LoginPageInput, 'username' | 'error'>,
): FastifyReply {
  const id = signIn.interaction.id;
  const { csrfToken, cookies } = issueFormToken(request, {
    key: ctx.secrets.csrf,
    purpose: `login:${id}`,
    now: epochSeconds(ctx.clock),
  });
  const page = renderLoginPage({
    action: assertSafeUrl(`${ctx.config.issuer}/login`),
    csrfToken,
    interactionId: id,
    clientName: signIn.clientName,
    redirectUri: signIn.redirectUri,
    lang: interactionLanguage(signIn.interaction),
    ...extra,
  });
  return sendPage(reply, page, cookies);
}
