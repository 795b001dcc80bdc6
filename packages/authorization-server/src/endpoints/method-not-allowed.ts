import { OAuthError } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';

/** A POST-only endpoint answers other methods with 405 and an Allow header, not a 404. */
export function rejectOtherMethods(app: FastifyInstance, url: string, allowed: 'POST'): void {
  app.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH'],
    url,
    handler: async () => {
      throw new OAuthError('invalid_request', `use ${allowed} for this endpoint`, {
        status: 405,
        headers: { allow: allowed },
      });
    },
  });
}
