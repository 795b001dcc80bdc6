import { OAuthError } from '@gatehouse/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Longest accepted value of one parameter; a client assertion or a JWT is the longest we expect. */
export const MAX_PARAMETER_LENGTH = 8192;

/** Parameters RFCs allow to repeat (RFC 8707 §2: `resource` may appear more than once). */
const REPEATABLE = new Set(['resource', 'audience']);

/**
 * The parsed body of an application/x-www-form-urlencoded request. RFC 6749 §3.1: "Parameters
 * sent without a value MUST be treated as if they were omitted from the request" and "Request
 * and response parameters MUST NOT be included more than once."
 */
export class FormParams {
  private constructor(private readonly values: Map<string, string[]>) {}

  /**
   * @param repeatable names that may repeat; an HTML form with checkboxes (the consent page's
   * `scope`) sends one field per ticked box.
   */
  static parse(body: string, repeatable: ReadonlySet<string> = REPEATABLE): FormParams {
    const values = new Map<string, string[]>();
    for (const [name, value] of new URLSearchParams(body)) {
      // RFC 6749 Appendix A: no parameter's syntax admits U+0000 (not even username and
      // password, UNICODECHARNOCRLF), and PostgreSQL cannot store it in text: refused here once.
      if (value.includes('\0') || name.includes('\0')) {
        throw new OAuthError(
          'invalid_request',
          `parameter '${truncate(name.replace(/\0/g, ''))}' contains a NUL character`,
        );
      }
      if (value.length > MAX_PARAMETER_LENGTH) {
        throw new OAuthError('invalid_request', `parameter '${truncate(name)}' is too long`);
      }
      if (value === '') continue;
      const list = values.get(name);
      if (list) {
        if (!repeatable.has(name)) {
          throw new OAuthError('invalid_request', `parameter '${truncate(name)}' is included more than once`);
        }
        list.push(value);
      } else {
        values.set(name, [value]);
      }
    }
    return new FormParams(values);
  }

  static empty(): FormParams {
    return new FormParams(new Map());
  }

  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  /** The value, or invalid_request naming the missing parameter. */
  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new OAuthError('invalid_request', `missing required parameter '${name}'`);
    return value;
  }

  getAll(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.values.has(name);
  }
}

/** Parses forms like {@link FormParams.parse}, letting the named fields repeat besides the usual ones. */
export function formParserAllowing(...names: string[]): (body: string) => FormParams {
  const repeatable = new Set([...REPEATABLE, ...names]);
  return (body) => FormParams.parse(body, repeatable);
}

function truncate(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}…` : name;
}

/**
 * Replaces Fastify's body parsers with one for forms: every OAuth endpoint takes
 * application/x-www-form-urlencoded (RFC 6749 §3.2, RFC 7662 §2.1, RFC 7009 §2.1), and a body of
 * any other type is refused rather than guessed at.
 */
export function registerFormParser(
  app: FastifyInstance,
  parse: (body: string) => FormParams = (body) => FormParams.parse(body),
): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, parse(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

/** The request's form parameters; a request with no body has none. */
export function formParams(request: FastifyRequest): FormParams {
  return request.body instanceof FormParams ? request.body : FormParams.empty();
}
