import { epochSeconds, generateRandomToken, OAuthError } from '@gatehouse/core';
import type { SessionRecord } from '@gatehouse/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildErrorRedirect } from '../authorization/authorization-response.js';
import { pageLanguage } from '../authorization/ui-locales.js';
import type { IssuerContext } from '../context.js';
import { type FormParams, formParams, formParserAllowing, registerFormParser } from '../http/form-params.js';
import { clearedInteractionCookie } from '../interaction/interaction-cookie.js';
import { issueAuthorizationCode } from '../interaction/issue-authorization-code.js';
import {
  clientDisplayName,
  type LoadedInteraction,
  loadInteraction,
} from '../interaction/load-interaction.js';
import { CONSENT_FIELDS, renderConsentPage } from '../pages/consent-page.js';
import { CSRF_FIELD } from '../pages/form-fields.js';
import { assertSafeUrl } from '../pages/html.js';
import {
  isFormTokenValid,
  issueFormToken,
  registerPageErrorHandler,
  sendErrorPage,
  sendPage,
  sendRedirect,
} from '../pages/page-reply.js';
import { readSessionCookie } from '../sessions/session-cookie.js';
import { readSession } from '../sessions/session-service.js';

/** Scopes a person cannot untick when requested: an OpenID request without `openid` is no such request. */
const REQUIRED_SCOPES: ReadonlySet<string> = new Set(['openid']);

/**
 * The consent page of an interaction. GET lists the requested scopes; POST records what was
 * approved (required ∪ (ticked ∩ requested), never a scope that was not requested) as the
 * user's grant to the client, and issues a code carrying only that (issue 3, item 3).
 */
export function consentEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  // Its own scope: the form sends one `scope` field per ticked box, which only this route accepts.
  app.register(async (scoped) => {
    registerFormParser(scoped, formParserAllowing(CONSENT_FIELDS.scope));
    registerPageErrorHandler(scoped);
    scoped.get('/consent', (request, reply) => showConsent(ctx, request, reply));
    scoped.post('/consent', (request, reply) => decideConsent(ctx, request, reply));
  });
}

async function showConsent(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const id = (request.query as Record<string, unknown>)['interaction'];
  const loaded = await loadInteraction(ctx, request, typeof id === 'string' ? id : undefined);
  if (!loaded) return sendErrorPage(request, reply, { status: 400, kind: 'expired' });
  const session = await liveSession(ctx, request);
  if (!session) return sendErrorPage(request, reply, { status: 400, kind: 'expired' });
  const user = await ctx.store.users.findById(session.userId);
  const { csrfToken, cookies } = issueFormToken(request, {
    key: ctx.secrets.csrf,
    purpose: `consent:${loaded.interaction.id}`,
    now: epochSeconds(ctx.clock),
  });
  const page = renderConsentPage({
    action: assertSafeUrl(`${ctx.config.issuer}/consent`),
    csrfToken,
    interactionId: loaded.interaction.id,
    clientName: clientDisplayName(loaded.client),
    redirectUri: loaded.request.redirectUri,
    scopes: loaded.request.scope,
    requiredScopes: loaded.request.scope.filter((scope) => REQUIRED_SCOPES.has(scope)),
    resources: loaded.request.resource.map((identifier) => ({ identifier })),
    userName: user?.name ?? user?.username,
    lang: pageLanguage(loaded.request.uiLocales),
  });
  return sendPage(reply, page, cookies);
}

async function decideConsent(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const form = formParams(request);
  const id = form.get('interaction_id');
  const csrf = { key: ctx.secrets.csrf, purpose: `consent:${id ?? ''}`, now: epochSeconds(ctx.clock) };
  if (!isFormTokenValid(request, form.get(CSRF_FIELD), csrf)) {
    return sendErrorPage(request, reply, { status: 403, kind: 'csrf' });
  }
  const loaded = await loadInteraction(ctx, request, id);
  const session = loaded && (await liveSession(ctx, request));
  if (!loaded || !session) return sendErrorPage(request, reply, { status: 400, kind: 'expired' });
  const decision = form.get(CONSENT_FIELDS.decision);
  if (decision === 'deny') {
    // RFC 6749 §4.1.2.1 access_denied: "The resource owner or authorization server denied the request."
    const error = new OAuthError('access_denied', 'the user denied the request');
    return sendRedirect(reply, buildErrorRedirect(loaded.request, error, ctx.config.issuer), [
      clearedInteractionCookie(loaded.interaction.id),
    ]);
  }
  if (decision !== 'approve') {
    return sendErrorPage(request, reply, {
      status: 400,
      kind: 'invalid_request',
      description: 'no decision',
    });
  }
  return approve(ctx, reply, loaded, session, form);
}

async function approve(
  ctx: IssuerContext,
  reply: FastifyReply,
  loaded: LoadedInteraction,
  session: SessionRecord,
  form: FormParams,
): Promise<FastifyReply> {
  const ticked = new Set(form.getAll(CONSENT_FIELDS.scope));
  const scopes = loaded.request.scope.filter((scope) => REQUIRED_SCOPES.has(scope) || ticked.has(scope));
  const now = epochSeconds(ctx.clock);
  const grant = await ctx.store.grants.upsert({
    id: generateRandomToken(16),
    userId: session.userId,
    clientId: loaded.request.clientId,
    scopes,
    resources: loaded.request.resource,
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
  });
  const location = await issueAuthorizationCode(ctx, loaded.request, { session, grantId: grant.id, scopes });
  return sendRedirect(reply, location, [clearedInteractionCookie(loaded.interaction.id)]);
}

async function liveSession(ctx: IssuerContext, request: FastifyRequest): Promise<SessionRecord | undefined> {
  const lookup = await readSession(ctx, readSessionCookie(request.headers.cookie));
  return lookup.ok ? lookup.session : undefined;
}
