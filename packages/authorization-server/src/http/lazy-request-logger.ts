import type { FastifyBaseLogger } from 'fastify';

/**
 * Fastify gives every request a child logger bound to its request id. Most requests log
 * nothing (one access line comes from request-log.ts), yet building a pino child with
 * redaction costs about as much as parsing the request body. The child is built on first use.
 */
export function lazyChildLogger(
  parent: FastifyBaseLogger,
  bindings: Record<string, unknown>,
  options: Record<string, unknown>,
): FastifyBaseLogger {
  let child: FastifyBaseLogger | undefined;
  const resolve = () => {
    child ??= parent.child(bindings, options);
    return child;
  };
  return new Proxy({} as FastifyBaseLogger, {
    get(_target, property) {
      const real = resolve();
      const value = Reflect.get(real, property, real) as unknown;
      return typeof value === 'function' ? value.bind(real) : value;
    },
    set(_target, property, value) {
      return Reflect.set(resolve(), property, value);
    },
  });
}
