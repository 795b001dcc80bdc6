/**
 * A tagged template for HTML that escapes every interpolated value. The only way to put
 * markup into a page is through `html` itself: `SafeHtml` cannot be constructed from a
 * string (its constructor is private), and `SafeUrl` only comes out of `safeUrl()`'s
 * allow-list. There is deliberately no `raw()` escape hatch.
 *
 * Two rules are checked when a template is first used, so a mistake fails every test that
 * renders the page rather than waiting for a hostile value:
 * - attribute values are quoted (`value="${x}"`, never `value=${x}`), because escaping
 *   alone does not stop an unquoted value from adding attributes;
 * - `href`, `action`, `formaction` and `src` receive a `SafeUrl`, never a plain string.
 */

// Only this module holds the token, so JavaScript callers cannot construct the classes either.
const CONSTRUCT = Symbol('gatehouse.html.construct');
let makeSafeHtml: (markup: string) => SafeHtml;
let makeSafeUrl: (url: string) => SafeUrl;

/** A fragment of HTML that is safe to place in a page as is. Only `html` makes one. */
export class SafeHtml {
  readonly #markup: string;
  static {
    makeSafeHtml = (markup) => new SafeHtml(markup, CONSTRUCT);
  }
  private constructor(markup: string, token: symbol) {
    if (token !== CONSTRUCT) throw new TypeError('SafeHtml is made only by html``');
    this.#markup = markup;
  }
  toString(): string {
    return this.#markup;
  }
}

/** A URL that passed the allow-list of `safeUrl()`: http(s), or relative to this origin. */
export class SafeUrl {
  readonly #url: string;
  static {
    makeSafeUrl = (url) => new SafeUrl(url, CONSTRUCT);
  }
  private constructor(url: string, token: symbol) {
    if (token !== CONSTRUCT) throw new TypeError('SafeUrl is made only by safeUrl()');
    this.#url = url;
  }
  toString(): string {
    return this.#url;
  }
}

/** What may be interpolated. `false`, `null` and `undefined` render nothing (for `cond && html`). */
export type HtmlValue =
  | string
  | number
  | SafeHtml
  | SafeUrl
  | null
  | undefined
  | false
  | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

const UNQUOTED_ATTRIBUTE = /=\s*$/;
const URL_ATTRIBUTE = /\s(?:href|action|formaction|src)\s*=\s*["']$/i;
const checkedTemplates = new WeakMap<TemplateStringsArray, readonly boolean[]>();

/** Checks a template once and remembers which holes sit in a URL attribute. */
function urlHoles(strings: TemplateStringsArray): readonly boolean[] {
  let holes = checkedTemplates.get(strings);
  if (holes) return holes;
  holes = strings.slice(0, -1).map((before, i) => {
    if (UNQUOTED_ATTRIBUTE.test(before)) {
      throw new TypeError(`html: attribute value before hole ${i} must be quoted: …${before.slice(-40)}`);
    }
    return URL_ATTRIBUTE.test(before);
  });
  checkedTemplates.set(strings, holes);
  return holes;
}

function render(value: HtmlValue, inUrlAttribute: boolean): string {
  if (value === null || value === undefined || value === false) return '';
  if (inUrlAttribute && !(value instanceof SafeUrl)) {
    throw new TypeError('html: href, action, formaction and src take a SafeUrl from safeUrl()');
  }
  if (value instanceof SafeHtml) return value.toString();
  if (value instanceof SafeUrl) return escapeHtml(value.toString());
  if (typeof value === 'number') return escapeHtml(String(value));
  if (typeof value === 'string') return escapeHtml(value);
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v, inUrlAttribute)).join('');
  throw new TypeError(`html: cannot interpolate a value of type ${typeof value}`);
}

/** Builds a `SafeHtml` fragment; every interpolated value is escaped unless it is `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  const holes = urlHoles(strings);
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    out += render(values[i], holes[i]!) + strings[i + 1]!;
  }
  return makeSafeHtml(out);
}

const RELATIVE_BASE = 'https://gatehouse.invalid/';

/**
 * Admits a URL for `href` or `action` when it is absolute `http:`/`https:`, or relative and
 * staying on this origin; returns `null` otherwise (`javascript:`, `data:`, `//other.host`,
 * `/\other.host`, control characters). The URL parser is the judge, so obfuscations such as
 * `java\tscript:` or `JAVASCRIPT:` are seen the way a browser sees them.
 */
export function safeUrl(url: string): SafeUrl | null {
  // Browsers drop tabs and newlines inside URLs and trim control characters and spaces;
  // refusing them outright is simpler than reasoning about what they become.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (url === '' || /[\u0000-\u0020\u007f]/.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url, RELATIVE_BASE);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(url);
  if (!hasScheme && parsed.origin !== new URL(RELATIVE_BASE).origin) return null;
  return makeSafeUrl(url);
}

/** Like `safeUrl`, for URLs the server itself composed: a refusal is a programming error. */
export function assertSafeUrl(url: string): SafeUrl {
  const safe = safeUrl(url);
  if (!safe) throw new TypeError(`not an http(s) or same-origin URL: ${JSON.stringify(url)}`);
  return safe;
}
