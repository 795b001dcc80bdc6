import { epochSeconds, isOAuthError, OAuthError } from '@gatehouse/core';
import type { ClientRecord, SessionRecord } from '@gatehouse/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AuthorizationRequest,
  validateClientAndRedirect,
  validateRequest,
} from '../authorization/authorization-request.js';
import { buildErrorRedirect, type ResponseTarget } from '../authorization/authorization-response.js';
import { isPushedRequestUri, resolvePushedRequest } from '../authorization/par.js';
import { type InvalidRedirect, invalidRedirect, isInvalidRedirect } from '../authorization/redirect-uri.js';
import { type ParamsLike, paramsFromRecord, recordFromParams } from '../authorization/request-params.js';
import { assertKnownResources } from '../authorization/resource.js';
import { grantableScopes } from '../authorization/scope.js';
import type { IssuerContext } from '../context.js';
import { FormParams, formParams } from '../http/form-params.js';
import {
  clearedInteractionCookie,
  createInteraction,
  type Interaction,
  interactionCookies,
  readInteraction,
} from '../interaction/interaction-cookie.js';
import { issueAuthorizationCode } from '../interaction/issue-authorization-code.js';
import { registerPageErrorHandler, sendErrorPage, sendRedirect } from '../pages/page-reply.js';
import { readSessionCookie } from '../sessions/session-cookie.js';
import { readSession } from '../sessions/session-service.js';
import { opaqueTokenDigest } from '../tokens/opaque-token.js';

/** The interaction cookie is missing, forged or expired: the person starts again at the app. */
const INTERACTION_EXPIRED = 'the sign-in took too long or has already finished';

/** The request's parameters and where they came from. */
interface ResolvedParams {
  params: ParamsLike;
  pushed: boolean;
  /** Set when the browser comes back from /login or /consent. */
  interaction: Interaction | undefined;
}

/**
 * The authorization endpoint (OAuth 2.1 §4.1.1, OpenID Connect Core §3.1.2), GET and POST, as
 * named steps: resolve the parameters, check the client and redirect URI (errors as a page),
 * validate the rest (errors redirected, with `iss`), then sign-in, consent, and the code.
 */
export function authorizationEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  // Errors before the redirect URI is validated (a repeated parameter, say) are pages.
  app.register(async (scoped) => {
    registerPageErrorHandler(scoped);
    const handler = (request: FastifyRequest, reply: FastifyReply) => authorize(ctx, request, reply);
    scoped.get('/authorize', handler);
    scoped.post('/authorize', handler);
  });
}

async function authorize(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const resolved = await resolveParams(ctx, request);
  if (isInvalidRedirect(resolved)) return refuse(request, reply, resolved, undefined);
  const clientId = resolved.params.get('client_id');
  const client = clientId === undefined ? undefined : await ctx.findClient(clientId);
  const target = validateClientAndRedirect(resolved.params, client);
  if (isInvalidRedirect(target)) return refuse(request, reply, target, client);
  let authorization: AuthorizationRequest;
  try {
    const validated = validateRequest(resolved.params, target, { pushed: resolved.pushed });
    authorization = { ...validated, scope: grantableScopes(target.client.metadata.scope, validated.scope) };
    assertKnownResources(ctx.resources, authorization.resource);
  } catch (error) {
    if (!isOAuthError(error)) throw error;
    return redirectError(ctx, reply, target, error);
  }
  return continueAuthorization(ctx, request, reply, authorization, resolved);
}

/**
 * Step 1: the parameters, from the query (GET) or form (POST), from a pushed request (RFC
 * 9126 §4), or from the interaction cookie when the browser returns from /login or /consent.
 */
async function resolveParams(
  ctx: IssuerContext,
  request: FastifyRequest,
): Promise<ResolvedParams | InvalidRedirect> {
  const query = request.method === 'POST' ? formParams(request) : FormParams.parse(rawQuery(request));
  const interactionId = query.get('interaction');
  if (interactionId !== undefined) {
    const interaction = await readInteraction(ctx, request.headers.cookie, interactionId);
    if (!interaction) return invalidRedirect(INTERACTION_EXPIRED);
    return { params: paramsFromRecord(interaction.params), pushed: interaction.pushed, interaction };
  }
  const requestUri = query.get('request_uri');
  const clientId = query.get('client_id');
  if (requestUri === undefined || !isPushedRequestUri(requestUri) || clientId === undefined) {
    return { params: query, pushed: false, interaction: undefined };
  }
  // RFC 9126 §4: the request_uri is used once, and only by the client that pushed it.
  const now = epochSeconds(ctx.clock);
  const stored = await ctx.store.pushedRequests.consume(opaqueTokenDigest(ctx, requestUri), clientId, now);
  const params = resolvePushedRequest(query, stored && { clientId: stored.clientId, params: stored.params });
  if (isInvalidRedirect(params)) return params;
  return { params, pushed: true, interaction: undefined };
}

function rawQuery(request: FastifyRequest): string {
  const url = request.raw.url ?? '';
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

/** Steps 4-6: sign-in, consent, code. */
async function continueAuthorization(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  resolved: ResolvedParams,
): Promise<FastifyReply> {
  const lookup = await readSession(ctx, readSessionCookie(request.headers.cookie));
  const session = lookup.ok ? lookup.session : undefined;
  if (!session || mustSignIn(ctx, authorization, session, resolved.interaction)) {
    // OpenID Connect Core §3.1.2.1 prompt=none: "The Authorization Server MUST NOT display any
    // authentication or consent user interface pages"; login_required when not signed in.
    if (authorization.prompt.has('none')) {
      return redirectError(
        ctx,
        reply,
        authorization,
        new OAuthError('login_required', 'the user is not signed in'),
      );
    }
    return startInteraction(ctx, request, reply, resolved, 'login');
  }
  const grant = await ctx.store.grants.find(session.userId, authorization.clientId);
  const covered =
    grant !== undefined &&
    authorization.scope.every((scope) => grant.scopes.includes(scope)) &&
    authorization.resource.every((resource) => grant.resources.includes(resource));
  if (grant && covered && !authorization.prompt.has('consent')) {
    const location = await issueAuthorizationCode(ctx, authorization, {
      session,
      grantId: grant.id,
      scopes: authorization.scope,
    });
    return sendRedirect(
      reply,
      location,
      resolved.interaction ? [clearedInteractionCookie(resolved.interaction.id)] : [],
    );
  }
  if (authorization.prompt.has('none')) {
    return redirectError(
      ctx,
      reply,
      authorization,
      new OAuthError('consent_required', 'the user has not approved this request'),
    );
  }
  return startInteraction(ctx, request, reply, resolved, 'consent');
}

/**
 * Whether the person has to sign in (again) although signed in: `prompt=login` or
 * `select_account`, or an authentication older than `max_age` (OpenID Connect Core §3.1.2.1:
 * the server "MUST attempt to actively re-authenticate the End-User"). A sign-in made during
 * this interaction satisfies all of them.
 */
function mustSignIn(
  ctx: IssuerContext,
  authorization: AuthorizationRequest,
  session: SessionRecord,
  interaction: Interaction | undefined,
): boolean {
  if (interaction && session.authTime >= interaction.startedAt) return false;
  if (authorization.prompt.has('login') || authorization.prompt.has('select_account')) return true;
  const maxAge = authorization.maxAge;
  return maxAge !== undefined && epochSeconds(ctx.clock) - session.authTime > maxAge;
}

/** Keeps the request in the interaction cookie and sends the browser to the sign-in or consent page. */
async function startInteraction(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  resolved: ResolvedParams,
  page: 'login' | 'consent',
): Promise<FastifyReply> {
  const interaction =
    resolved.interaction ?? createInteraction(ctx, recordFromParams(resolved.params), resolved.pushed);
  const cookies = await interactionCookies(ctx, interaction, request.headers.cookie);
  return sendRedirect(reply, `${ctx.config.issuer}/${page}?interaction=${interaction.id}`, cookies);
}

function redirectError(
  ctx: IssuerContext,
  reply: FastifyReply,
  target: ResponseTarget,
  error: OAuthError,
): FastifyReply {
  return sendRedirect(reply, buildErrorRedirect(target, error, ctx.config.issuer));
}

/** RFC 6749 §4.1.2.1: no verified redirect URI, so the person is told on a page. */
function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  invalid: InvalidRedirect,
  client: ClientRecord | undefined,
): FastifyReply {
  request.log.info(
    { error: invalid.error, detail: invalid.description },
    'authorization request not redirectable',
  );
  const kind =
    invalid.description === INTERACTION_EXPIRED || invalid.error === 'invalid_request_uri'
      ? 'expired'
      : client === undefined
        ? 'unknown_client'
        : 'invalid_redirect_uri';
  return sendErrorPage(request, reply, { status: 400, kind, description: invalid.description });
}
