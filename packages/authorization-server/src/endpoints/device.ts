import { epochSeconds } from '@gatehouse/core';
import type { ClientRecord, DeviceAuthorizationRecord, SessionRecord } from '@gatehouse/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IssuerContext } from '../context.js';
import {
  approveDeviceAuthorization,
  denyDeviceAuthorization,
} from '../device/decide-device-authorization.js';
import { lookUpUserCode } from '../device/look-up-user-code.js';
import { formatUserCode, normalizeUserCode, userCodeDigest } from '../device/user-code.js';
import { type FormParams, formParams, formParserAllowing, registerFormParser } from '../http/form-params.js';
import { clientDisplayName } from '../interaction/load-interaction.js';
import {
  DEVICE_FIELDS,
  type DeviceCodeProblem,
  type DeviceOutcome,
  renderDeviceCodePage,
  renderDeviceConsentPage,
  renderDeviceOutcomePage,
} from '../pages/device-page.js';
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
import { readSessionCookie, sessionCookie } from '../sessions/session-cookie.js';
import { readSession } from '../sessions/session-service.js';

/** Scopes a person cannot untick when requested, as on the consent page. */
const REQUIRED_SCOPES: ReadonlySet<string> = new Set(['openid']);
const CODE_PURPOSE = 'device-code';
const loginPurpose = (userCode: string) => `device-login:${userCode}`;
/** Bound to the session too: a page left open cannot decide for whoever signs in later. */
const decisionPurpose = (userCode: string, sid: string) => `device-decision:${userCode}:${sid}`;

/**
 * The verification page (RFC 8628 §3.3), `verification_uri`: a person enters the user code
 * (or confirms the one verification_uri_complete carries), signs in if they are not, sees
 * which client on which device asks for what, and approves or denies.
 *
 * - GET /device[?user_code=…]: the code form; with a code, straight to its sign-in or consent
 *   (a click is still needed: RFC 8628 §5.4, nothing is approved from a URL);
 * - POST /device: a typed code; throttled per address and in total (RFC 8628 §5.1);
 * - POST /device/login: the sign-in page of a code, then back to GET /device?user_code=…;
 * - POST /device/decision: Approve or Deny, with the optional scopes left ticked.
 *
 * Every POST checks its CSRF token before anything else, every answer is a page with no-store
 * and the pages' strict CSP. The code travels in the sign-in form's `interaction_id` field:
 * it is this sign-in's interaction.
 */
export function deviceVerificationEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.register(async (scoped) => {
    registerFormParser(scoped, formParserAllowing(DEVICE_FIELDS.scope));
    registerPageErrorHandler(scoped);
    scoped.get('/device', (request, reply) => {
      const typed = (request.query as Record<string, unknown>)[DEVICE_FIELDS.userCode];
      if (typeof typed !== 'string' || typed === '') return sendCodePage(ctx, request, reply, {});
      return showCode(ctx, request, reply, typed);
    });
    scoped.post('/device', (request, reply) => {
      const form = formParams(request);
      if (!checkCsrf(ctx, request, form, CODE_PURPOSE)) return csrfFailure(request, reply);
      return showCode(ctx, request, reply, form.get(DEVICE_FIELDS.userCode) ?? '');
    });
    scoped.post('/device/login', (request, reply) => signInForCode(ctx, request, reply));
    scoped.post('/device/decision', (request, reply) => decide(ctx, request, reply));
  });
}

/** The longest entry the code field takes (its maxlength), so the longest shown back. */
const MAX_RETYPED_CODE = 32;

/** The code a person entered: what it names, and the next step for it. */
async function showCode(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  typed: string,
): Promise<FastifyReply> {
  const lookup = await lookUpUserCode(ctx, typed, request.ip);
  if (!lookup.ok) {
    const problem: DeviceCodeProblem =
      lookup.problem === 'throttled'
        ? { kind: 'throttled', retryAfterSeconds: lookup.retryAfter }
        : { kind: lookup.problem };
    // Shown again for correcting, unless longer than any code could be typed (the field takes
    // 32 characters): a 10 kB link parameter is not worth repeating back.
    const retype = typed.length <= MAX_RETYPED_CODE ? { userCode: typed } : {};
    return sendCodePage(ctx, request, reply, { ...retype, problem });
  }
  const usable = await usableRequest(ctx, lookup.found);
  if (!usable.ok) return sendOutcome(ctx, reply, usable.outcome, usable.client);
  const session = await liveSession(ctx, request);
  if (!session) return sendSignIn(ctx, request, reply, lookup.userCode, usable.client, {});
  return sendConsent(ctx, request, reply, lookup.userCode, lookup.found, usable.client, session);
}

/** POST /device/login: signs the person in for the code, then shows its consent step. */
async function signInForCode(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const form = formParams(request);
  const userCode = normalizeUserCode(form.get('interaction_id') ?? '');
  if (userCode === undefined || !checkCsrf(ctx, request, form, loginPurpose(userCode))) {
    return csrfFailure(request, reply);
  }
  const found = await findByCode(ctx, userCode);
  const usable = found ? await usableRequest(ctx, found) : undefined;
  if (!usable) return sendErrorPage(request, reply, { status: 400, kind: 'expired' });
  if (!usable.ok) return sendOutcome(ctx, reply, usable.outcome, usable.client);
  const result = await signInWithPassword(ctx, request, form);
  if (!result.ok) {
    const { username, error } = result;
    return sendSignIn(ctx, request, reply, userCode, usable.client, { username, error });
  }
  return sendRedirect(reply, verificationUriComplete(ctx, userCode), [sessionCookie(result.cookieValue)]);
}

/** POST /device/decision: records Approve (with the ticked scopes) or Deny. */
async function decide(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const form = formParams(request);
  const userCode = normalizeUserCode(form.get(DEVICE_FIELDS.userCode) ?? '');
  // Reading the session changes nothing; the token names it, so it is checked first.
  const session = await liveSession(ctx, request);
  const purpose = userCode && decisionPurpose(userCode, session?.sid ?? '-');
  if (!purpose || !checkCsrf(ctx, request, form, purpose)) return csrfFailure(request, reply);
  const found = session && (await findByCode(ctx, userCode));
  const usable = found ? await usableRequest(ctx, found) : undefined;
  if (!session || !found || !usable) return sendErrorPage(request, reply, { status: 400, kind: 'expired' });
  if (!usable.ok) return sendOutcome(ctx, reply, usable.outcome, usable.client);
  const decision = form.get(DEVICE_FIELDS.decision);
  let decided: boolean;
  if (decision === 'deny') {
    decided = await denyDeviceAuthorization(ctx, found, session);
  } else if (decision === 'approve') {
    // Required ∪ (ticked ∩ requested): never a scope the device did not ask for.
    const ticked = new Set(form.getAll(DEVICE_FIELDS.scope));
    const scopes = found.scopes.filter((scope) => REQUIRED_SCOPES.has(scope) || ticked.has(scope));
    decided = await approveDeviceAuthorization(ctx, found, session, scopes);
  } else {
    return sendErrorPage(request, reply, {
      status: 400,
      kind: 'invalid_request',
      description: 'no decision',
    });
  }
  // Lost to a decision made meanwhile (another tab), or expired just now.
  if (!decided) return sendOutcome(ctx, reply, 'used', usable.client);
  return sendOutcome(ctx, reply, decision === 'approve' ? 'approved' : 'denied', usable.client);
}

type Usable =
  | { ok: true; client: ClientRecord }
  | { ok: false; outcome: DeviceOutcome; client?: ClientRecord };

/** Whether a found request can still be decided: pending, unexpired, its client still registered. */
async function usableRequest(ctx: IssuerContext, found: DeviceAuthorizationRecord): Promise<Usable> {
  const client = await ctx.findClient(found.clientId);
  if (found.expiresAt <= epochSeconds(ctx.clock) || !client) return { ok: false, outcome: 'expired' };
  if (found.status !== 'pending') return { ok: false, outcome: 'used', client };
  return { ok: true, client };
}

function findByCode(ctx: IssuerContext, userCode: string): Promise<DeviceAuthorizationRecord | undefined> {
  return ctx.store.deviceAuthorizations.findByUserCode(userCodeDigest(ctx.secrets, userCode));
}

async function liveSession(ctx: IssuerContext, request: FastifyRequest): Promise<SessionRecord | undefined> {
  const lookup = await readSession(ctx, readSessionCookie(request.headers.cookie));
  return lookup.ok ? lookup.session : undefined;
}

function verificationUriComplete(ctx: IssuerContext, userCode: string): string {
  return `${ctx.endpoints.deviceVerification}?${DEVICE_FIELDS.userCode}=${formatUserCode(userCode)}`;
}

function checkCsrf(ctx: IssuerContext, request: FastifyRequest, form: FormParams, purpose: string): boolean {
  const options = { key: ctx.secrets.csrf, purpose, now: epochSeconds(ctx.clock) };
  return isFormTokenValid(request, form.get(CSRF_FIELD), options);
}

function csrfFailure(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendErrorPage(request, reply, { status: 403, kind: 'csrf' });
}

function formToken(ctx: IssuerContext, request: FastifyRequest, purpose: string) {
  return issueFormToken(request, { key: ctx.secrets.csrf, purpose, now: epochSeconds(ctx.clock) });
}

function sendCodePage(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { userCode?: string; problem?: DeviceCodeProblem },
): FastifyReply {
  const { csrfToken, cookies } = formToken(ctx, request, CODE_PURPOSE);
  const action = assertSafeUrl(ctx.endpoints.deviceVerification);
  return sendPage(reply, renderDeviceCodePage({ action, csrfToken, ...input }), cookies);
}

function sendSignIn(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  userCode: string,
  client: ClientRecord,
  extra: Pick<LoginPageInput, 'username' | 'error'>,
): FastifyReply {
  const { csrfToken, cookies } = formToken(ctx, request, loginPurpose(userCode));
  const page = renderLoginPage({
    action: assertSafeUrl(`${ctx.endpoints.deviceVerification}/login`),
    csrfToken,
    interactionId: formatUserCode(userCode),
    clientName: clientDisplayName(client),
    ...extra,
  });
  return sendPage(reply, page, cookies);
}

async function sendConsent(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  userCode: string,
  found: DeviceAuthorizationRecord,
  client: ClientRecord,
  session: SessionRecord,
): Promise<FastifyReply> {
  const user = await ctx.store.users.findById(session.userId);
  const { csrfToken, cookies } = formToken(ctx, request, decisionPurpose(userCode, session.sid));
  const page = renderDeviceConsentPage({
    action: assertSafeUrl(`${ctx.endpoints.deviceVerification}/decision`),
    csrfToken,
    userCode: formatUserCode(userCode),
    clientName: clientDisplayName(client),
    device: { userAgent: found.userAgent, address: found.address, requestedAt: found.createdAt },
    scopes: found.scopes,
    requiredScopes: found.scopes.filter((scope) => REQUIRED_SCOPES.has(scope)),
    resources: found.resources,
    userName: user?.name ?? user?.username,
    formatDate: formatUtc,
  });
  return sendPage(reply, page, cookies);
}

function sendOutcome(
  ctx: IssuerContext,
  reply: FastifyReply,
  outcome: DeviceOutcome,
  client: ClientRecord | undefined,
): FastifyReply {
  const page = renderDeviceOutcomePage({
    outcome,
    clientName: client && clientDisplayName(client),
    enterAnother: assertSafeUrl(ctx.endpoints.deviceVerification),
  });
  return sendPage(reply, page);
}

/** "2026-01-01 12:30 UTC": unambiguous wherever the person is. */
function formatUtc(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
