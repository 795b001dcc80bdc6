import { type Clock, epochSeconds, generateRandomToken, type Logger } from '@gatehouse/core';
import type { SessionRecord, Store, UserRecord } from '@gatehouse/store';
import type { SessionsConfig } from '../config/schema.js';
import type { DerivedKeys } from '../keys/master-key.js';
import { generateSessionSecret, isWellFormedSessionSecret, sessionIdOf } from './session-cookie.js';

/** What the session functions need; an IssuerContext is one. */
export interface SessionDeps {
  store: Pick<Store, 'sessions' | 'tokens'>;
  secrets: Pick<DerivedKeys, 'sessionDigest'>;
  clock: Clock;
  logger: Logger;
  config: { sessions: SessionsConfig };
  /** Told of every session that ends, whatever the reason (Back-Channel Logout). */
  onSessionEnded?: SessionEndedListener | undefined;
}

/** What ending sessions needs: no secret and no config, so an admin tool can do it too. */
export type SessionEndDeps = Pick<SessionDeps, 'store' | 'clock' | 'logger' | 'onSessionEnded'>;

/** A session that has just ended: called once per session, after its row and tokens are done. */
export type SessionEndedListener = (ended: { sessionId: string; reason: SessionEndReason }) => void;

/** Why a session ended, as recorded in its row (`endReason`) and logged. */
export type SessionEndReason =
  | 'logout'
  | 'admin'
  | 'user_disabled'
  /** A newer sign-in went beyond `sessions.max_per_user`. */
  | 'limit'
  | 'idle_timeout'
  | 'absolute_timeout';

/** Why a cookie does not name a live session. */
export type SessionRejection = 'missing' | 'unknown' | 'ended' | 'idle_timeout' | 'absolute_timeout';

export type SessionLookup = { ok: true; session: SessionRecord } | { ok: false; reason: SessionRejection };

/** A successful authentication, as the sign-in step hands it over. */
export interface NewSession {
  user: Pick<UserRecord, 'id'>;
  /** Authentication methods (RFC 8176), e.g. `['pwd']`; the ID token's `amr`. */
  amr: string[];
  /** The ID token's `acr`, when one was established. */
  acr: string | null;
  /** Epoch seconds of the active authentication: the ID token's `auth_time` (OIDC Core §2). */
  authTime: number;
  userAgent?: string | undefined;
  address?: string | undefined;
}

/** Long enough for any real browser; a header is no reason to store kilobytes per session. */
const MAX_USER_AGENT = 512;
/**
 * A live session's use is written at most this often. Reading it happens on every request
 * that carries the cookie; writing each time would turn every page view into a database
 * write. The price: the idle timeout may strike up to this many seconds early.
 */
const TOUCH_INTERVAL = 60;

/**
 * Starts a session for a user who just authenticated, and returns the row and the cookie
 * value (for `sessionCookie`). With `sessions.max_per_user`, the user's oldest live sessions
 * beyond it end (issue 3, item 4: "including 1: a new sign-in ends the oldest"), and the
 * tokens issued through them are revoked unless granted as offline access.
 *
 * @example
 * ```ts
 * const result = await authenticatePassword(ctx, attempt);
 * if (result.ok) {
 *   const { record, cookieValue } = await startSession(ctx, {
 *     user: result.user, amr: ['pwd'], acr: null, authTime: epochSeconds(ctx.clock),
 *     userAgent: request.headers['user-agent'], address: request.ip,
 *   });
 *   reply.header('set-cookie', serializeHostCookie(sessionCookie(cookieValue)));
 * }
 * ```
 */
export async function startSession(
  deps: SessionDeps,
  input: NewSession,
): Promise<{ record: SessionRecord; cookieValue: string }> {
  const now = epochSeconds(deps.clock);
  const { idle_timeout, absolute_timeout, max_per_user } = deps.config.sessions;
  const { cookieValue, id } = generateSessionSecret(deps.secrets.sessionDigest);
  const absoluteExpiresAt = now + absolute_timeout;
  const record: SessionRecord = {
    id,
    // OIDC Front-/Back-Channel Logout: `sid` names the session to RPs in ID and logout
    // tokens. It is public, so it is drawn apart from the secret, never derived from it.
    sid: generateRandomToken(16),
    userId: input.user.id,
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: Math.min(now + idle_timeout, absoluteExpiresAt),
    absoluteExpiresAt,
    authTime: input.authTime,
    amr: [...input.amr],
    acr: input.acr,
    endedAt: null,
    endReason: null,
    userAgent: input.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
    address: input.address ?? null,
  };
  await deps.store.sessions.insert(record);
  deps.logger.info({ event: 'session_started', sid: record.sid, userId: record.userId }, 'session started');

  if (max_per_user > 0) {
    // exceptId: the new session counts as the newest even when others began in the same second.
    const ended = await deps.store.sessions.endOldestBeyond(record.userId, max_per_user, now, 'limit', {
      exceptId: id,
    });
    for (const endedId of ended) {
      await revokeSessionTokens(deps, endedId, 'limit', now);
      announceEnd(deps, endedId, 'limit');
    }
  }
  return { record, cookieValue };
}

/**
 * The live session a cookie value names, or why there is none. A session found past a
 * timeout is ended on the spot (its reason recorded, its non-offline tokens revoked); a live
 * one is touched, which slides its idle expiry, up to the absolute one.
 */
export async function readSession(
  deps: SessionDeps,
  cookieValue: string | undefined,
): Promise<SessionLookup> {
  if (cookieValue === undefined || cookieValue === '') return { ok: false, reason: 'missing' };
  // A value we never issued is not worth a database round trip.
  if (!isWellFormedSessionSecret(cookieValue)) return { ok: false, reason: 'unknown' };
  return readSessionById(deps, sessionIdOf(deps.secrets.sessionDigest, cookieValue));
}

/**
 * As `readSession`, by the row id (`TokenRecord.sessionId`): for the refresh grant, which
 * must not honour a non-offline token once its session is over, even if no browser ever
 * came back to end it.
 */
export async function readSessionById(deps: SessionDeps, id: string): Promise<SessionLookup> {
  const now = epochSeconds(deps.clock);
  const session = await deps.store.sessions.findById(id);
  if (!session) return { ok: false, reason: 'unknown' };
  if (session.endedAt !== null) return { ok: false, reason: 'ended' };

  const timeout = timeoutOf(session, now);
  if (timeout !== undefined) {
    await endSessionRow(deps, session, timeout, now);
    return { ok: false, reason: timeout };
  }

  if (now - session.lastSeenAt < TOUCH_INTERVAL) return { ok: true, session };
  const idleExpiresAt = Math.min(now + deps.config.sessions.idle_timeout, session.absoluteExpiresAt);
  // touch only updates a session that has not ended: a logout between our read and now wins.
  if (!(await deps.store.sessions.touch(session.id, now, idleExpiresAt)))
    return { ok: false, reason: 'ended' };
  return { ok: true, session: { ...session, lastSeenAt: now, idleExpiresAt } };
}

/** Which timeout a session has reached at `now`, the earlier one when both. */
function timeoutOf(session: SessionRecord, now: number): 'idle_timeout' | 'absolute_timeout' | undefined {
  const idle = now >= session.idleExpiresAt;
  const absolute = now >= session.absoluteExpiresAt;
  if (idle && (!absolute || session.idleExpiresAt < session.absoluteExpiresAt)) return 'idle_timeout';
  return absolute ? 'absolute_timeout' : undefined;
}

/**
 * Ends a session (logout, an admin, a disabled user) and revokes the tokens issued through
 * it, except those granted as offline access: issue 3, item 4. Returns false when it had
 * already ended or does not exist.
 */
export async function endSession(
  deps: SessionEndDeps,
  id: string,
  reason: SessionEndReason,
): Promise<boolean> {
  const now = epochSeconds(deps.clock);
  if (!(await deps.store.sessions.end(id, now, reason))) return false;
  await revokeSessionTokens(deps, id, reason, now);
  announceEnd(deps, id, reason);
  return true;
}

/**
 * Ends one of the user's sessions by its public `sid` (the account page's "End session"):
 * refuses a sid of another user's session, so a forged form cannot end someone else's.
 */
export async function endUserSession(
  deps: SessionEndDeps,
  userId: string,
  sid: string,
  reason: SessionEndReason,
): Promise<boolean> {
  const session = await deps.store.sessions.findBySid(sid);
  if (!session || session.userId !== userId) return false;
  return endSession(deps, session.id, reason);
}

/**
 * Ends every session of the user that has not ended yet, expired ones included so that their
 * tokens are revoked too (disabling a user). Returns how many it ended.
 */
export async function endUserSessions(
  deps: SessionEndDeps,
  userId: string,
  reason: SessionEndReason,
): Promise<number> {
  const open = (await deps.store.sessions.listByUser(userId)).filter((s) => s.endedAt === null);
  let ended = 0;
  for (const session of open) if (await endSession(deps, session.id, reason)) ended += 1;
  return ended;
}

/** A live session as the account page shows it; `sid`, never the row id, leaves the server. */
export interface SessionSummary {
  sid: string;
  userAgent: string | undefined;
  address: string | undefined;
  startedAt: number;
  lastSeenAt: number;
  authTime: number;
  amr: string[];
}

/** The user's live sessions, newest first (the account page). */
export async function listSessions(deps: SessionDeps, userId: string): Promise<SessionSummary[]> {
  const sessions = await deps.store.sessions.listByUser(userId, { liveAt: epochSeconds(deps.clock) });
  return sessions.map((s) => ({
    sid: s.sid,
    userAgent: s.userAgent ?? undefined,
    address: s.address ?? undefined,
    startedAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    authTime: s.authTime,
    amr: s.amr,
  }));
}

/** Ends a timed-out session as of when it expired; its tokens are revoked now. */
async function endSessionRow(
  deps: SessionDeps,
  session: SessionRecord,
  reason: 'idle_timeout' | 'absolute_timeout',
  now: number,
): Promise<void> {
  const expiredAt = reason === 'idle_timeout' ? session.idleExpiresAt : session.absoluteExpiresAt;
  // Of concurrent readers only one ends it; revoking is idempotent, so each may revoke.
  const ended = await deps.store.sessions.end(session.id, expiredAt, reason);
  await revokeSessionTokens(deps, session.id, reason, now);
  if (ended) announceEnd(deps, session.id, reason);
}

/** Tells the listener; it is not allowed to fail the request that ended the session. */
function announceEnd(deps: SessionEndDeps, sessionId: string, reason: SessionEndReason): void {
  try {
    deps.onSessionEnded?.({ sessionId, reason });
  } catch (error) {
    deps.logger.error({ err: error, sessionId, reason }, 'session end listener failed');
  }
}

async function revokeSessionTokens(
  deps: SessionEndDeps,
  id: string,
  reason: SessionEndReason,
  now: number,
): Promise<void> {
  // Issue 3, item 4: ending a session "revokes the tokens issued through it unless they were
  // granted as offline" — offline access is by definition meant to outlive the sign-in.
  const revoked = await deps.store.tokens.revokeBySession(id, now, { exceptOffline: true });
  deps.logger.info(
    { event: 'session_ended', sessionId: id, reason, revokedTokens: revoked },
    'session ended',
  );
}
