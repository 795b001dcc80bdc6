/**
 * Cookies the pages set, as a type that cannot express an insecure `__Host-` cookie: the
 * name must start with `__Host-`, `secure` can only be `true`, `path` only `/`, and there is
 * no `domain` (RFC 6265bis §4.1.3.2: a `__Host-` cookie MUST be Secure, MUST have Path=/ and
 * MUST NOT have a Domain attribute, so it is bound to exactly this origin).
 */
export interface HostCookie {
  readonly name: `__Host-${string}`;
  readonly value: string;
  readonly secure: true;
  readonly path: '/';
  readonly domain?: never;
  /** `true` unless a script must read it; pages have no scripts, so in practice always `true`. */
  readonly httpOnly: boolean;
  /**
   * `Lax` for cookies that must arrive on a top-level navigation from the client (the
   * session cookie on /authorize, the CSRF cookie when the login page is reached from the
   * app); `Strict` for cookies only same-site pages ever need.
   */
  readonly sameSite: 'Strict' | 'Lax';
  /** Seconds; omit for a cookie that ends with the browser session; 0 deletes it. */
  readonly maxAge?: number;
}

export const CSRF_COOKIE = '__Host-gatehouse-csrf' as const;

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6265 §4.1.1 cookie-octet: visible ASCII except " , ; and backslash.
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** The `Set-Cookie` header value for a cookie. */
export function serializeHostCookie(cookie: HostCookie): string {
  if (!COOKIE_NAME.test(cookie.name)) throw new TypeError(`invalid cookie name: ${cookie.name}`);
  if (!COOKIE_VALUE.test(cookie.value)) throw new TypeError(`invalid value for cookie ${cookie.name}`);
  // Checked again at run time for JavaScript callers and casts.
  if (
    !cookie.name.startsWith('__Host-') ||
    cookie.secure !== true ||
    cookie.path !== '/' ||
    'domain' in cookie
  ) {
    throw new TypeError(`a __Host- cookie must be Secure with Path=/ and no Domain: ${cookie.name}`);
  }
  const parts = [`${cookie.name}=${cookie.value}`, 'Path=/', 'Secure'];
  if (cookie.httpOnly) parts.push('HttpOnly');
  parts.push(`SameSite=${cookie.sameSite}`);
  if (cookie.maxAge !== undefined) {
    if (!Number.isSafeInteger(cookie.maxAge) || cookie.maxAge < 0)
      throw new TypeError('maxAge must be whole seconds');
    parts.push(`Max-Age=${cookie.maxAge}`);
  }
  return parts.join('; ');
}

/** The CSRF binding cookie: HttpOnly, Lax (see `HostCookie.sameSite`), for the browser session. */
export function csrfCookie(binding: string): HostCookie {
  return { name: CSRF_COOKIE, value: binding, secure: true, path: '/', httpOnly: true, sameSite: 'Lax' };
}

/** Every cookie of the header whose name starts with `prefix`, as [name, value] pairs. */
export function readCookiesByPrefix(header: string | undefined, prefix: string): [string, string][] {
  if (!header) return [];
  const found: [string, string][] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? '' : pair.slice(0, eq).trim();
    if (name.startsWith(prefix) && name.length > prefix.length) found.push([name, pair.slice(eq + 1).trim()]);
  }
  return found;
}

/** Reads one cookie from a `Cookie` request header; `undefined` when absent or sent twice. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let found: string | undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    // Two cookies of one name (e.g. one planted by a sibling subdomain without the prefix
    // rules) make the value ambiguous; refuse rather than pick one.
    if (found !== undefined) return undefined;
    found = pair.slice(eq + 1).trim();
  }
  return found;
}
