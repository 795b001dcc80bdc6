import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * What the robustness sweep checks of every answer to hostile input: the standard says bad input
 * gets a clear, standard error and never a 5xx, a stack trace, a hang or an injected header.
 */

/** How a route answers: JSON with an RFC error code, an HTML page for people, or plain data. */
export type RouteKind = 'json' | 'page' | 'data';

/** Error codes the endpoints may answer with, each from the RFC that defines it. */
export const RFC_ERROR_CODES = new Set([
  // RFC 6749 §4.1.2.1, §5.2
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'invalid_scope',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
  // RFC 6750 §3.1
  'invalid_token',
  'insufficient_scope',
  // RFC 7009 §2.2.1
  'unsupported_token_type',
  // RFC 8628 §3.5
  'authorization_pending',
  'slow_down',
  'expired_token',
  // RFC 8707 §2
  'invalid_target',
  // RFC 9126 §2.2 (request_uri), RFC 9101
  'invalid_request_uri',
  'invalid_request_object',
  // RFC 9449 §7.1, §8
  'invalid_dpop_proof',
  'use_dpop_nonce',
  // OpenID Connect Core §3.1.2.6
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
]);

/** A 404 from no route at all answers this code (JSON, like the API). */
export const NOT_FOUND_CODE = 'not_found';

const STACK_PATTERNS: RegExp[] = [
  /\n\s+at [\w<.$[\]]+ \(/, // a V8 stack frame
  /\bat (?:async )?[\w.<>]+ \((?:file:|\/|node:)/,
  /\/src\//,
  /node_modules/,
  /\.[cm]?[jt]s:\d+:\d+/, // file.ts:12:34
  /\b(?:TypeError|RangeError|SyntaxError|ReferenceError):/,
];

export interface ProbeLabel {
  method: string;
  url: string;
  probe: string;
}

function describeProbe(label: ProbeLabel, res: LightMyRequestResponse): string {
  return `${label.method} ${label.url.slice(0, 120)} [${label.probe}] → ${res.statusCode} ${String(
    res.headers['content-type'] ?? '',
  )}: ${res.body.slice(0, 300)}`;
}

/** Asserts an answer is safe: no 5xx, no stack trace, no injected header, the route's format. */
export function assertSafeAnswer(res: LightMyRequestResponse, kind: RouteKind, label: ProbeLabel): void {
  const what = describeProbe(label, res);
  assert.ok(res.statusCode < 500, `5xx: ${what}`);
  for (const pattern of STACK_PATTERNS) assert.doesNotMatch(res.body, pattern, `stack trace: ${what}`);
  for (const [name, value] of Object.entries(res.headers)) {
    assert.ok(!/injected/i.test(name), `header injection (${name}): ${what}`);
    for (const v of Array.isArray(value) ? value : [String(value)]) {
      assert.doesNotMatch(v, /[\r\n\0]/, `CR, LF or NUL in header ${name}: ${what}`);
    }
  }
  if (label.method === 'HEAD') {
    assert.equal(res.body, '', `HEAD has a body: ${what}`);
    return;
  }
  if (res.statusCode >= 300 && res.statusCode < 400) {
    assert.ok(res.headers.location, `redirect without Location: ${what}`);
    return;
  }
  const type = String(res.headers['content-type'] ?? '');
  if (res.statusCode === 404 && type.startsWith('application/json') && res.json().error === NOT_FOUND_CODE) {
    return;
  }
  if (res.statusCode >= 400) {
    if (kind === 'json' || kind === 'data') assertJsonError(res, what);
    else assertErrorPage(res, what);
  } else if (kind === 'page' && res.statusCode === 200) {
    assert.match(type, /^text\/html/, `a page answered ${type}: ${what}`);
  }
}

function assertJsonError(res: LightMyRequestResponse, what: string): void {
  const type = String(res.headers['content-type'] ?? '');
  // RFC 6750 §3.1: a request without any credentials gets the challenge and no error code.
  if (res.statusCode === 401 && res.headers['www-authenticate'] && res.body === '') return;
  assert.match(type, /^application\/json/, `not JSON: ${what}`);
  const body = res.json() as { error?: unknown };
  assert.equal(typeof body.error, 'string', `no error code: ${what}`);
  assert.ok(RFC_ERROR_CODES.has(body.error as string), `not an RFC error code: ${what}`);
  assert.notEqual(body.error, 'server_error', `server_error: ${what}`);
}

function assertErrorPage(res: LightMyRequestResponse, what: string): void {
  const type = String(res.headers['content-type'] ?? '');
  assert.match(type, /^text\/html/, `a page's error is not HTML: ${what}`);
  assert.match(res.body, /<html/i, `not a whole page: ${what}`);
}

/** Every route and method an app serves, as "METHOD /path", read from its route tree. */
export function routesOf(app: FastifyInstance): Set<string> {
  const text = app.printRoutes({ commonPrefix: false });
  const routes = new Set<string>();
  const prefixes: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth > 0 ? prefixes[depth - 1]! : '') + match[2]!;
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of match[3]?.split(', ') ?? []) routes.add(`${method} ${path}`);
  }
  return routes;
}

/** Hostile values, written percent-encoded exactly as they go on the wire. */
export const HOSTILE_VALUES: Record<string, string> = {
  empty: '',
  'NUL byte': 'a%00b',
  'only NUL': '%00',
  'invalid percent-encoding': '%ZZ',
  'truncated percent-encoding': '%',
  'overlong UTF-8 (%C0%AF)': '%C0%AF',
  'truncated UTF-8': '%E2%82',
  'lone surrogate': '%ED%A0%80',
  unicode: '%F0%9F%98%80%E2%80%AE%C3%A9',
  'CR/LF injection': 'x%0D%0AX-Injected%3A%201%0D%0A%0D%0A<script>',
  'CR/LF injection in a URL': encodeURIComponent('https://app.test/callback\r\nX-Injected: 1'),
  HTML: encodeURIComponent('"><script>alert(1)</script>'),
  '10 kB': 'a'.repeat(10_000),
  JSON: encodeURIComponent('{"a":[1,2,3]}'),
  'negative number': '-1',
  'huge number': '1e309',
};

/** The promise's value, or a failure naming `what` if it takes longer than `seconds`: a hang. */
export async function withinSeconds<T>(seconds: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${seconds} s: ${what}`)), seconds * 1000);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
