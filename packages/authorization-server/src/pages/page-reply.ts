import { isOAuthError } from '@gatehouse/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type CsrfPurpose, generateCsrfBinding, issueCsrfToken, verifyCsrfToken } from './csrf.js';
import { CSRF_COOKIE, csrfCookie, type HostCookie, readCookie, serializeHostCookie } from './csrf-cookie.js';
import { type ErrorPageKind, renderErrorPage } from './error-page.js';
import type { RenderedPage } from './layout.js';

/** Seconds a form stays usable: as long as the interaction it belongs to. */
const CSRF_TTL = 600;

/** Sends a rendered page with its status and headers, setting `cookies`. */
export function sendPage(reply: FastifyReply, page: RenderedPage, cookies: HostCookie[] = []): FastifyReply {
  if (cookies.length > 0) reply.header('set-cookie', cookies.map(serializeHostCookie));
  return reply.code(page.status).headers(page.headers).send(page.html);
}

/** Sends the error page for people; the request id is the reference that finds the log entry. */
export function sendErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { status: number; kind: ErrorPageKind; description?: string | undefined; clientName?: string },
  cookies: HostCookie[] = [],
): FastifyReply {
  const page = renderErrorPage({ ...options, referenceId: String(request.id) });
  return sendPage(reply, page, cookies);
}

/** A 303 See Other to `location` (the browser follows with GET), setting `cookies`. */
export function sendRedirect(
  reply: FastifyReply,
  location: string,
  cookies: HostCookie[] = [],
): FastifyReply {
  if (cookies.length > 0) reply.header('set-cookie', cookies.map(serializeHostCookie));
  return reply.code(303).header('location', location).send();
}

/**
 * A CSRF token for a form (docs/pages.md, "Using the kit in a route"), bound to the browser's
 * CSRF cookie; a browser without one gets a new binding and the cookie to set.
 */
export function issueFormToken(
  request: FastifyRequest,
  options: { key: Uint8Array; purpose: CsrfPurpose; now: number },
): { csrfToken: string; cookies: HostCookie[] } {
  const existing = readCookie(request.headers.cookie, CSRF_COOKIE);
  const binding = existing ?? generateCsrfBinding();
  const csrfToken = issueCsrfToken({ ...options, binding, ttl: CSRF_TTL });
  return { csrfToken, cookies: existing ? [] : [csrfCookie(binding)] };
}

/** Whether a form POST carries a valid token for `purpose`; the reason of a failure is logged. */
export function isFormTokenValid(
  request: FastifyRequest,
  token: string | undefined,
  options: { key: Uint8Array; purpose: CsrfPurpose; now: number },
): boolean {
  const binding = readCookie(request.headers.cookie, CSRF_COOKIE);
  const result = verifyCsrfToken({ ...options, binding, token });
  if (!result.ok) request.log.info({ reason: result.reason }, 'csrf token refused');
  return result.ok;
}

/**
 * Errors of the routes a person's browser calls render as error pages, not JSON: a bad
 * parameter or body (an OAuthError, or Fastify's 4xx) as `invalid_request` with its status,
 * anything else as `server_error` with the full entry in the log. Register it inside the
 * plugin scope of those routes only; a scope whose bad requests mean something more specific
 * (a sign-out) passes its own `invalidRequestKind`.
 */
export function registerPageErrorHandler(
  scope: FastifyInstance,
  invalidRequestKind: ErrorPageKind = 'invalid_request',
): void {
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    const status = isOAuthError(error) ? error.status : (error.statusCode ?? 500);
    if (status >= 400 && status < 500) {
      const description = isOAuthError(error) ? error.description : undefined;
      request.log.info({ detail: error.message }, 'page request rejected');
      return sendErrorPage(request, reply, { status, kind: invalidRequestKind, description });
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendErrorPage(request, reply, { status: 500, kind: 'server_error' });
  });
}
