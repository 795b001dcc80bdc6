import { isOAuthError, OAuthError } from '@gatehouse/core';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/**
 * The one place errors become responses: RFC 6749 §5.2 JSON with no-store. Anything that is
 * not an OAuthError is mapped to one: a client fault to invalid_request, everything else to
 * server_error with a generic description and the real reason in the log.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const oauthError = toOAuthError(error);
    if (oauthError.code === 'server_error') {
      request.log.error({ err: error }, 'unexpected error');
    } else {
      request.log.info(
        { error: oauthError.code, detail: oauthError.detail ?? oauthError.description },
        'request rejected',
      );
    }
    sendOAuthError(reply, oauthError);
  });

  app.setNotFoundHandler((_request, reply) => {
    reply
      .code(404)
      .header('cache-control', 'no-store')
      .send({ error: 'not_found', error_description: 'no such endpoint' });
  });
}

export function sendOAuthError(reply: FastifyReply, error: OAuthError): void {
  reply.code(error.status).header('cache-control', 'no-store').header('pragma', 'no-cache');
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  reply.type('application/json').send(JSON.stringify(error.toJSON()));
}

function toOAuthError(error: FastifyError): OAuthError {
  if (isOAuthError(error)) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OAuthError('invalid_request', 'request body is too large', { status: 413 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded', {
        detail: error.message,
      });
    case 'FST_ERR_CTP_EMPTY_TYPE':
      return new OAuthError('invalid_request', 'the Content-Type header is empty');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new OAuthError('invalid_request', 'malformed request', { detail: error.message });
  }
  return new OAuthError('server_error', 'the server encountered an unexpected error', {
    detail: error.message,
  });
}
