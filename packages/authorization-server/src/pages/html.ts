/**
 * A tagged template for HTML that escapes every interpolated value. The only way to put
 * markup into a page is through `html` itself: `SafeHtml` cannot be constructed from a
 * string (its constructor is private), and `SafeUrl` only comes out of `safeUrl()`'s
 * allow-list. There is deliberately no `raw()` escape hatch.
 *
 * Each template is checked when first used, so a mistake fails every test that renders the
 * page rather than waiting for a hostile value (see `classifyHoles`):
 * - attribute values are quoted (`value="${x}"`, never `value=${x}`), because escaping
 *   alone does not stop an unquoted value from adding attributes;
 * - a URL attribute (`href`, `action`, `src` ...) starts with a `SafeUrl`, never a string;
 * - no hole in an event handler or `style` attribute, or in a <script>, where escaped text
 *   is still code;
 * - between attributes only `html` fragments (an optional ` aria-invalid="true"`).
 *
 * Calling `html` as a function with a hand-made strings array would sidestep all of this;
 * it needs a cast to `TemplateStringsArray`, which is the signal to refuse it in review.
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

/**
 * Where a hole sits: element content (`text`), a quoted attribute value (`attribute`), the
 * start of a URL attribute's value (`url`), or between attributes in a tag (`tag`, where
 * only fragments made by `html` may go, e.g. an optional ` aria-invalid="true"`).
 */
type HoleContext = 'text' | 'attribute' | 'url' | 'tag';

const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'srcset',
  'action',
  'formaction',
  'poster',
  'cite',
  'data',
  'background',
  'ping',
  'manifest',
  'xlink:href',
]);
const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'textarea', 'title']);

/**
 * Scans the template's static text with a small state machine (enough for our own
 * templates, not a general HTML parser) and classifies each hole; throws on a hole where
 * escaping is not enough: an unquoted attribute value, an event handler or `style`
 * attribute, or inside a <script>.
 */
function classifyHoles(strings: readonly string[]): HoleContext[] {
  let state: 'text' | 'tag' | 'value' = 'text';
  let tagName = '';
  let rawText = '';
  let attribute = '';
  let quote = '';
  let valueStarted = false;
  const contexts: HoleContext[] = [];
  const fail = (i: number, why: string): never => {
    throw new TypeError(`html: hole ${i} ${why}: …${strings[i]!.slice(-40)}`);
  };
  strings.forEach((chunk, i) => {
    let j = 0;
    while (j < chunk.length) {
      const c = chunk[j]!;
      if (state === 'text') {
        if (rawText) {
          if (chunk.startsWith(`</${rawText}`, j)) rawText = '';
          j++;
          continue;
        }
        const tag = /^<\/?([a-zA-Z][a-zA-Z0-9-]*)/.exec(chunk.slice(j, j + 40));
        if (tag) {
          state = 'tag';
          tagName = tag[0][1] === '/' ? '' : tag[1]!.toLowerCase();
          j += tag[0].length;
          continue;
        }
        j++;
      } else if (state === 'tag') {
        if (c === '>') {
          state = 'text';
          if (RAW_TEXT_ELEMENTS.has(tagName)) rawText = tagName;
          j++;
          continue;
        }
        const attr = /^([^\s"'=<>`/]+)\s*=\s*(["']?)/.exec(chunk.slice(j));
        if (attr) {
          attribute = attr[1]!.toLowerCase();
          if (!attr[2]) {
            // Only a hole can follow an unquoted `=` in our templates.
            if (j + attr[0].length === chunk.length) fail(i, 'is an unquoted attribute value; quote it');
            j += attr[0].length;
            continue;
          }
          state = 'value';
          quote = attr[2];
          valueStarted = false;
          j += attr[0].length;
          continue;
        }
        j++;
      } else {
        if (c === quote) state = 'tag';
        else if (!/\s/.test(c)) valueStarted = true;
        j++;
      }
    }
    if (i === strings.length - 1) return;
    if (state === 'tag') contexts.push('tag');
    else if (state === 'value') {
      if (attribute.startsWith('on') || attribute === 'style') fail(i, `is in a ${attribute} attribute`);
      contexts.push(URL_ATTRIBUTES.has(attribute) && !valueStarted ? 'url' : 'attribute');
      valueStarted = true;
    } else {
      if (rawText === 'script') fail(i, 'is inside a <script>');
      contexts.push('text');
    }
  });
  return contexts;
}

const checkedTemplates = new WeakMap<TemplateStringsArray, readonly HoleContext[]>();

function holeContexts(strings: TemplateStringsArray): readonly HoleContext[] {
  let contexts = checkedTemplates.get(strings);
  if (!contexts) {
    contexts = classifyHoles(strings);
    checkedTemplates.set(strings, contexts);
  }
  return contexts;
}

function render(value: HtmlValue, context: HoleContext): string {
  if (context === 'url' && !(value instanceof SafeUrl)) {
    // Even an empty value is refused: the next hole would then decide the URL's scheme.
    throw new TypeError('html: a URL attribute (href, action, src ...) takes a SafeUrl from safeUrl()');
  }
  if (value === null || value === undefined || value === false) return '';
  if (context === 'tag' && !(value instanceof SafeHtml) && !Array.isArray(value)) {
    throw new TypeError('html: only html`` fragments may stand between attributes');
  }
  if (value instanceof SafeHtml) {
    if (context === 'attribute') throw new TypeError('html: an attribute value takes text, not markup');
    return value.toString();
  }
  if (value instanceof SafeUrl) return escapeHtml(value.toString());
  if (typeof value === 'number') return escapeHtml(String(value));
  if (typeof value === 'string') return escapeHtml(value);
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v, context)).join('');
  throw new TypeError(`html: cannot interpolate a value of type ${typeof value}`);
}

/** Builds a `SafeHtml` fragment; every interpolated value is escaped unless it is `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  const contexts = holeContexts(strings);
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    out += render(values[i], contexts[i]!) + strings[i + 1]!;
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
