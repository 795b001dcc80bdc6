import { createHash } from 'node:crypto';
import { assertSafeUrl, html, type SafeHtml } from './html.js';
import { STYLESHEET } from './stylesheet.js';

/** What a page renderer returns; a route sends it as `reply.code(status).headers(headers).send(html)`. */
export interface RenderedPage {
  readonly status: number;
  readonly html: string;
  /** `pageHeaders()` for this page, plus page-specific ones such as Retry-After. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface PageHeaderOptions {
  /**
   * Where the page's form submission may end up besides this origin: the client's redirect
   * URI (or post-logout redirect URI) when the POST answers with a redirect there. Browsers
   * apply `form-action` to every redirect that follows a form submission, so without it the
   * final hop to the client is blocked. Each entry is a URL; only its origin is used.
   */
  readonly formActionOrigins?: readonly string[];
}

export const STYLE_HASH = `sha256-${createHash('sha256').update(STYLESHEET).digest('base64')}`;

const PRODUCT = 'Gatehouse';
// Schemes that must never be a form target, even as a native app's private-use scheme.
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'filesystem:']);

/**
 * The CSP source for a redirect target: the origin of an http(s) URL, or the scheme of a
 * native app's private-use URI scheme (RFC 8252 §7.1). Throws for anything else: the value
 * ends up in a header, so it is rebuilt from the parsed URL, never copied.
 */
export function formActionSource(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return parsed.origin;
  if (/^[a-z][a-z0-9+.-]*:$/.test(parsed.protocol) && !FORBIDDEN_SCHEMES.has(parsed.protocol)) {
    return parsed.protocol;
  }
  throw new TypeError(`not a form-action target: ${JSON.stringify(url)}`);
}

/** The Content-Security-Policy of a page: nothing loads but the one hashed stylesheet. */
export function pageContentSecurityPolicy(options: PageHeaderOptions = {}): string {
  const targets = [...new Set((options.formActionOrigins ?? []).map(formActionSource))];
  return [
    "default-src 'none'",
    `style-src '${STYLE_HASH}'`,
    "img-src 'self' data:",
    ["form-action 'self'", ...targets].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The headers every page response carries (ARCHITECTURE "Interfaces": strict CSP, no framing, no-store). */
export function pageHeaders(options: PageHeaderOptions = {}): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'Content-Security-Policy': pageContentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // Superseded by frame-ancestors, kept for browsers that predate CSP Level 2.
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

export interface LayoutOptions {
  /** The page's own title; the document title adds the product name. */
  readonly title: string;
  readonly body: SafeHtml;
  /** The display name of the client the person is dealing with, shown beside the product name. */
  readonly clientName?: string | undefined;
  /** BCP 47 language tag of the page text; anything malformed falls back to `en`. */
  readonly lang?: string | undefined;
}

const LANGUAGE_TAG = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/;
const SKIP_TARGET = assertSafeUrl('#main');

/** The page shell: document head with the inline stylesheet, header, main landmark, footer. */
export function renderLayout(options: LayoutOptions): string {
  const lang = options.lang && LANGUAGE_TAG.test(options.lang) ? options.lang : 'en';
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${options.title} · ${PRODUCT}</title>
<style>${STYLESHEET}</style>
</head>
<body>
<a class="skip" href="${SKIP_TARGET}">Skip to content</a>
<header class="site-header">
<span class="brand"><span class="brand-mark" aria-hidden="true"></span>${PRODUCT}</span>${
    options.clientName && html` <span class="muted">for ${options.clientName}</span>`
  }
</header>
<main id="main" tabindex="-1">
${options.body}
</main>
<footer class="site-footer"><p>${PRODUCT} · secure sign-in</p></footer>
</body>
</html>
`.toString();
}

export interface PageOptions extends LayoutOptions, PageHeaderOptions {
  readonly status?: number;
  readonly extraHeaders?: Readonly<Record<string, string>>;
}

/** Lays out a page and pairs it with its status and headers. */
export function renderPage(options: PageOptions): RenderedPage {
  return {
    status: options.status ?? 200,
    html: renderLayout(options),
    headers: { ...pageHeaders(options), ...options.extraHeaders },
  };
}
