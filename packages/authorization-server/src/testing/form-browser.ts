import assert from 'node:assert/strict';

/**
 * A person's browser without JavaScript, for tests against a listening issuer: `fetch` with a
 * cookie jar for one origin, following no redirect by itself so that every hop can be checked.
 */
export class FormBrowser {
  private readonly cookies = new Map<string, string>();

  /** `base` is the origin relative URLs resolve against, and the one the cookies belong to. */
  constructor(private readonly base: string) {}

  async get(url: string | URL): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }

  /** Posts an HTML form (application/x-www-form-urlencoded); a list repeats the field. */
  async post(url: string | URL, form: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
    }
    return this.send(url, { method: 'POST', body });
  }

  private async send(url: string | URL, init: RequestInit): Promise<Response> {
    const res = await fetch(new URL(url, this.base), {
      ...init,
      redirect: 'manual',
      headers: { cookie: this.cookieHeader() },
    });
    this.keepCookies(res);
    return res;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keepCookies(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      if (/max-age=0/i.test(line)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  }
}

/** Where a redirect (302 or 303) points, resolved against `base`; fails the test otherwise. */
export function redirectLocation(res: Response, base: string): URL {
  assert.ok([302, 303].includes(res.status), `expected a redirect, got ${res.status}`);
  return new URL(res.headers.get('location')!, base);
}
