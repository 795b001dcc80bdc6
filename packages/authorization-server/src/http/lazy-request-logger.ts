import type { FastifyBaseLogger } from 'fastify';

type LogFn = (...args: unknown[]) => void;

/**
 * Fastify gives every request a child logger bound to its request id. Most requests log
 * nothing (one access line comes from request-log.ts), yet building a pino child with
 * redaction costs about as much as parsing the request body. The child is built on first use.
 * A class rather than a Proxy or closures: Fastify checks that each logging method exists when
 * it attaches the logger (a Proxy would build the child right there), and prototype methods
 * make the per-request object three fields.
 */
class LazyChildLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Record<string, unknown>,
    private readonly options: Record<string, unknown>,
  ) {}

  private resolve(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.options);
    return this.#child;
  }

  get level(): string {
    return (this.#child ?? this.parent).level;
  }

  set level(value: string) {
    this.resolve().level = value;
  }

  child(bindings: Record<string, unknown>, options?: Record<string, unknown>): FastifyBaseLogger {
    return this.resolve().child(bindings, options);
  }

  fatal(...args: unknown[]): void {
    (this.resolve().fatal as LogFn)(...args);
  }
  error(...args: unknown[]): void {
    (this.resolve().error as LogFn)(...args);
  }
  warn(...args: unknown[]): void {
    (this.resolve().warn as LogFn)(...args);
  }
  info(...args: unknown[]): void {
    (this.resolve().info as LogFn)(...args);
  }
  debug(...args: unknown[]): void {
    (this.resolve().debug as LogFn)(...args);
  }
  trace(...args: unknown[]): void {
    (this.resolve().trace as LogFn)(...args);
  }
  silent(...args: unknown[]): void {
    (this.resolve().silent as LogFn)(...args);
  }
}

export function lazyChildLogger(
  parent: FastifyBaseLogger,
  bindings: Record<string, unknown>,
  options: Record<string, unknown>,
): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
}
