import { epochSeconds } from '@gatehouse/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticatePassword } from '../accounts/authenticate-password.js';
import type { IssuerContext } from '../context.js';
import { formParams } from '../http/form-params.js';
import {
  clientDisplayName,
  type LoadedInteraction,
  loadInteraction,
} from '../interaction/load-interaction.js';
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
import { sessionCookie } from '../sessions/session-cookie.js';
import { startSession } from '../sessions/session-service.js';

/**
 * The sign-in page of an interaction. GET shows the form; POST checks the CSRF token first
 * (before a password is checked or an attempt counted, docs/pages.md), then the password, and
 * on success starts a session and sends the browser back to /authorize to resume.
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
    const loaded = await loadInteraction(ctx, request, typeof id === 'string' ? id : undefined);
    if (!loaded) return sendErrorPage(request, reply, { status: 400, kind: 'expired' });
    return sendLoginPage(ctx, request, reply, loaded, { username: loaded.request.loginHint });
  });

  app.post('/login', async (request, reply) => {
    const form = formParams(request);
    const id = form.get('interaction_id');
    const csrf = { key: ctx.secrets.csrf, purpose: `login:${id ?? ''}`, now: epochSeconds(ctx.clock) };
    if (!isFormTokenValid(request, form.get(CSRF_FIELD), csrf)) {
      return sendErrorPage(request, reply, { status: 403, kind: 'csrf' });
    }
    const loaded = await loadInteraction(ctx, request, id);
    if (!loaded) return sendErrorPage(request, reply, { status: 400, kind: 'expired' });
    const username = form.get('username') ?? '';
    const result = await authenticatePassword(ctx, {
      username,
      password: form.get('password') ?? '',
      address: request.ip,
    });
    if (!result.ok) {
      request.log.info({ detail: result.detail }, 'sign-in failed');
      const error: LoginPageInput['error'] =
        result.code === 'throttled'
          ? { kind: 'throttled', retryAfterSeconds: result.retryAfter ?? 1 }
          : { kind: 'invalid_credentials' };
      return sendLoginPage(ctx, request, reply, loaded, { username, error });
    }
    const { cookieValue } = await startSession(ctx, {
      user: result.user,
      amr: ['pwd'],
      acr: null,
      authTime: epochSeconds(ctx.clock),
      userAgent: request.headers['user-agent'],
      address: request.ip,
    });
    const resume = `${ctx.config.issuer}/authorize?interaction=${loaded.interaction.id}`;
    return sendRedirect(reply, resume, [sessionCookie(cookieValue)]);
  });
}

function sendLoginPage(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  loaded: LoadedInteraction,
  extra: Pick<LoginPageInput, 'username' | 'error'>,
): FastifyReply {
  const id = loaded.interaction.id;
  const { csrfToken, cookies } = issueFormToken(request, {
    key: ctx.secrets.csrf,
    purpose: `login:${id}`,
    now: epochSeconds(ctx.clock),
  });
  const page = renderLoginPage({
    action: assertSafeUrl(`${ctx.config.issuer}/login`),
    csrfToken,
    interactionId: id,
    clientName: clientDisplayName(loaded.client),
    redirectUri: loaded.request.redirectUri,
    ...extra,
  });
  return sendPage(reply, page, cookies);
}
