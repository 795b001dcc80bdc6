import type { FastifyInstance } from 'fastify';
import type { IssuerContext } from '../context.js';

/**
 * The public signing keys. The cache lifetime is well below keys.publish_before_use, so every
 * verifier has fetched a new key before it signs anything.
 */
export function jwksEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.get('/jwks', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300').type('application/jwk-set+json');
    return ctx.keys.publicKeysJson();
  });
}
