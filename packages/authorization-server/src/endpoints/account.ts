import { epochSeconds } from '@gatehouse/core';
import type { SessionRecord } from '@gatehouse/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { revokeUserGrant } from '../consent/revoke-grant.js';
import type { IssuerContext } from '../context.js';
import { formParams } from '../http/form-params.js';
import { createAccountInteraction, interactionCookies } from '../interaction/interaction-cookie.js';
import { ACCOUNT_FIELDS, type AccountGrant, renderAccountPage } from '../pages/account-page.js';
import { CSRF_FIELD } from '../pages/form-fields.js';
import { assertSafeUrl } from '../pages/html.js';
import { renderSignedOutPage } from '../pages/logout-page.js';
import {
  isFormTokenValid,
  issueFormToken,
  registerPageErrorHandler,
  sendErrorPage,
  sendPage,
  sendRedirect,
} from '../pages/page-reply.js';
import { clearedSessionCookie, readSessionCookie } from '../sessions/session-cookie.js';
import { endUserSession, listSessions, readSession } from '../sessions/session-service.js';

/**
 * What the page says after an action. The redirect names one of these by key, never by text,
 * so a link cannot make the page say anything else.
 */
const NOTICES = {
  'session-ended':
    'The session has ended. Apps signed in through it have lost access, unless you gave them offline access.',
  'session-gone': 'That session had already ended.',
  'grant-revoked': "The app's access was revoked. It has to ask you again before it can use your account.",
  'grant-gone': "That app's access had already been revoked.",
} as const;
type Notice = keyof typeof NOTICES | 'signed-out';

export const ACCOUNT_PATH = '/account';
const END_SESSION_PATH = '/account/sessions/end';
const REVOKE_GRANT_PATH = '/account/grants/revoke';

/**
 * The account page (issue 3, item 7): the signed-in person's live sessions and the apps they
 * have granted access, with forms to end a session or revoke a grant. Each form POSTs, is
 * CSRF-checked first, and answers with a 303 back to the page (Post/Redirect/Get), so a reload
 * never repeats an action. A visitor without a session is sent to sign in, and comes back here.
 */
export function accountEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.register(async (scoped) => {
    registerPageErrorHandler(scoped);
    scoped.get(ACCOUNT_PATH, (request, reply) => showAccount(ctx, request, reply));
    scoped.post(
      END_SESSION_PATH,
      accountAction(ctx, ACCOUNT_FIELDS.sessionId, 'no session named', endSession),
    );
    scoped.post(REVOKE_GRANT_PATH, accountAction(ctx, ACCOUNT_FIELDS.grantId, 'no app named', revokeGrant));
  });
}

async function showAccount(
  ctx: IssuerContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const notice = noticeOf(request);
  const session = await liveSession(ctx, request);
  if (!session) {
    if (notice === 'signed-out') {
      const signInAgainUrl = assertSafeUrl(`${ctx.config.issuer}${ACCOUNT_PATH}`);
      return sendPage(reply, renderSignedOutPage({ signInAgainUrl }));
    }
    // The continuation is fixed here, in the sealed interaction: after sign-in the browser
    // comes back to this page and nowhere else, whatever the query said.
    const interaction = createAccountInteraction(ctx);
    const cookies = await interactionCookies(ctx, interaction, request.headers.cookie);
    return sendRedirect(reply, `${ctx.config.issuer}/login?interaction=${interaction.id}`, cookies);
  }
  const user = await ctx.store.users.findById(session.userId);
  const now = epochSeconds(ctx.clock);
  const { csrfToken, cookies } = issueFormToken(request, {
    key: ctx.secrets.csrf,
    purpose: formPurpose(session),
    now,
  });
  const page = renderAccountPage({
    userName: user?.name ?? user?.username ?? session.userId,
    sessions: (await listSessions(ctx, session.userId)).map((s) => ({
      id: s.sid,
      userAgent: s.userAgent,
      address: s.address,
      startedAt: s.startedAt,
      lastSeenAt: s.lastSeenAt,
      current: s.sid === session.sid,
    })),
    grants: await listGrants(ctx, session.userId),
    actions: {
      endSession: assertSafeUrl(`${ctx.config.issuer}${END_SESSION_PATH}`),
      revokeGrant: assertSafeUrl(`${ctx.config.issuer}${REVOKE_GRANT_PATH}`),
    },
    csrfTokens: { endSession: csrfToken, revokeGrant: csrfToken },
    formatDate,
    notice: notice === undefined || notice === 'signed-out' ? undefined : NOTICES[notice],
  });
  return sendPage(reply, page, cookies);
}

/** What one of the page's forms does, for the signed-in person, to the thing it names. */
type AccountActionStep = (
  ctx: IssuerContext,
  session: SessionRecord,
  target: string,
  reply: FastifyReply,
) => Promise<FastifyReply>;

/**
 * A POST handler for one of the page's forms. Before `act` runs, in this order: a live session
 * (signed out meanwhile, in another tab or by a timeout: nothing to act for, so back to the
 * page, which asks to sign in); the CSRF token bound to that session; then the form's `field`,
 * which names what to act on (`missing` is what the error page says without it).
 */
function accountAction(ctx: IssuerContext, field: string, missing: string, act: AccountActionStep) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const form = formParams(request);
    const session = await liveSession(ctx, request);
    if (!session) return sendRedirect(reply, `${ctx.config.issuer}${ACCOUNT_PATH}`);
    const csrf = { key: ctx.secrets.csrf, purpose: formPurpose(session), now: epochSeconds(ctx.clock) };
    if (!isFormTokenValid(request, form.get(CSRF_FIELD), csrf)) {
      return sendErrorPage(request, reply, { status: 403, kind: 'csrf' });
    }
    const target = form.get(field);
    if (!target) {
      return sendErrorPage(request, reply, { status: 400, kind: 'invalid_request', description: missing });
    }
    return act(ctx, session, target, reply);
  };
}

const endSession: AccountActionStep = async (ctx, session, sid, reply) => {
  // endUserSession refuses a sid of another user's session: it reads as already ended.
  const ended = await endUserSession(ctx, session.userId, sid, 'logout');
  if (ended && sid === session.sid) {
    // Ending the session of this browser is signing out: the cookie goes with it.
    return sendRedirect(reply, accountUrl(ctx, 'signed-out'), [clearedSessionCookie()]);
  }
  return sendRedirect(reply, accountUrl(ctx, ended ? 'session-ended' : 'session-gone'));
};

const revokeGrant: AccountActionStep = async (ctx, session, grantId, reply) => {
  const revoked = await revokeUserGrant(ctx, session.userId, grantId);
  return sendRedirect(reply, accountUrl(ctx, revoked ? 'grant-revoked' : 'grant-gone'));
};

/** The user's live grants with the name each client goes by (its id, if it is gone). */
async function listGrants(ctx: IssuerContext, userId: string): Promise<AccountGrant[]> {
  const grants = await ctx.store.grants.listByUser(userId);
  return Promise.all(
    grants.map(async (grant) => {
      const name = (await ctx.findClient(grant.clientId))?.metadata.client_name;
      return {
        id: grant.id,
        clientName: typeof name === 'string' && name !== '' ? name : grant.clientId,
        scopes: grant.scopes,
        grantedAt: grant.updatedAt,
      };
    }),
  );
}

/**
 * The page's forms share one CSRF purpose naming the session that rendered them: a page left
 * open from before someone else signed in on this browser cannot act for the new session.
 * (One purpose, not one per form: the forms sit on one page for one session, so telling them
 * apart would protect nothing, and one token needs one binding cookie.)
 */
function formPurpose(session: SessionRecord): string {
  return `account:${session.sid}`;
}

function noticeOf(request: FastifyRequest): Notice | undefined {
  const value = (request.query as Record<string, unknown>)['notice'];
  if (value === 'signed-out') return value;
  return typeof value === 'string' && Object.hasOwn(NOTICES, value) ? (value as Notice) : undefined;
}

function accountUrl(ctx: IssuerContext, notice: Notice): string {
  return `${ctx.config.issuer}${ACCOUNT_PATH}?notice=${notice}`;
}

/** Dates in UTC, spelled out: the server cannot know the reader's zone without script. */
const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

function formatDate(epochSeconds: number): string {
  return `${DATE_FORMAT.format(new Date(epochSeconds * 1000))} UTC`;
}

async function liveSession(ctx: IssuerContext, request: FastifyRequest): Promise<SessionRecord | undefined> {
  const lookup = await readSession(ctx, readSessionCookie(request.headers.cookie));
  return lookup.ok ? lookup.session : undefined;
}
