import { epochSeconds } from '@gatehouse/core';
import type { FastifyRequest } from 'fastify';
import { authenticatePassword } from '../accounts/authenticate-password.js';
import type { IssuerContext } from '../context.js';
import type { FormParams } from '../http/form-params.js';
import type { LoginPageInput } from '../pages/login-page.js';
import { readSessionCookie } from './session-cookie.js';
import { endSession, readSession, startSession } from './session-service.js';

export type PasswordSignIn =
  /** The new session's cookie value, for `sessionCookie`. */
  | { ok: true; cookieValue: string }
  /** What the login page shows again, with the username as typed. */
  | { ok: false; username: string; error: NonNullable<LoginPageInput['error']> };

/**
 * The sign-in form's POST once its CSRF token and its purpose (an authorization request, the
 * account page, a device code) have been checked: the password, then the session. Every
 * sign-in page goes through here, so throttling, the generic failure and the session rules
 * are the same everywhere.
 */
export async function signInWithPassword(
  ctx: IssuerContext,
  request: FastifyRequest,
  form: FormParams,
): Promise<PasswordSignIn> {
  const username = form.get('username') ?? '';
  const result = await authenticatePassword(ctx, {
    username,
    password: form.get('password') ?? '',
    address: request.ip,
  });
  if (!result.ok) {
    request.log.info({ detail: result.detail }, 'sign-in failed');
    // One message whether the account exists or not; only throttling says more (a wait).
    const error: NonNullable<LoginPageInput['error']> =
      result.code === 'throttled'
        ? { kind: 'throttled', retryAfterSeconds: result.retryAfter ?? 1 }
        : { kind: 'invalid_credentials' };
    return { ok: false, username, error };
  }
  // A different person signing in on a browser that has a live session: that session is
  // theirs no longer, so it ends (and its tokens with it) rather than lingering unreachable.
  const previous = await readSession(ctx, readSessionCookie(request.headers.cookie));
  if (previous.ok && previous.session.userId !== result.user.id) {
    await endSession(ctx, previous.session.id, 'logout');
  }
  const { cookieValue } = await startSession(ctx, {
    user: result.user,
    amr: ['pwd'],
    acr: null,
    authTime: epochSeconds(ctx.clock),
    userAgent: request.headers['user-agent'],
    address: request.ip,
  });
  return { ok: true, cookieValue };
}
