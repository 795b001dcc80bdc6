import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import type { LightMyRequestResponse } from 'fastify';
import { authorizeQuery, CookieJar, PASSWORD, VERIFIER } from '../../src/testing/browser-flow.js';
import { codeRequest, seedCode, signIn as startSessionFor } from '../../src/testing/code-grant.js';
import { approveDevice, pollRequest, startDevice } from '../../src/testing/device-flow.js';
import {
  basicAuthorization,
  SERVICE_SECRET,
  startTestIssuer,
  type TestIssuer,
} from '../../src/testing/harness.js';
import { assertSafeAnswer, HOSTILE_VALUES, type RouteKind, withinSeconds } from './probe.js';
import { APP_SECRET, LOGOUT_REDIRECT, signIn, sweepConfig } from './sweep-issuer.js';

/**
 * Each field of an otherwise valid request, one at a time, made hostile: the request gets past
 * client authentication, CSRF checks and sessions, so the hostile value reaches the code that
 * reads it (and the store behind it).
 */

interface Prepared {
  method: 'GET' | 'POST';
  path: string;
  fields: Array<[string, string]>;
  headers?: Record<string, string>;
  /** The browser the request comes from; it keeps the cookies the answer sets. */
  jar?: CookieJar;
}

interface Target {
  name: string;
  kind: RouteKind;
  /** Fields that are absent from the valid request but that the endpoint reads. */
  extra?: string[];
  prepare(): Promise<Prepared>;
}

const APP_BASIC = basicAuthorization('web-app', APP_SECRET);
const MUTATIONS: Record<string, (name: string, valid: string) => string[]> = {
  ...Object.fromEntries(
    Object.entries(HOSTILE_VALUES).map(([label, value]) => [label, (name: string) => [`${name}=${value}`]]),
  ),
  duplicated: (name, valid) => [
    `${name}=${encodeURIComponent(valid)}`,
    `${name}=${encodeURIComponent(valid)}`,
  ],
  'duplicated, another value': (name, valid) => [`${name}=${encodeURIComponent(valid)}`, `${name}=x`],
  removed: () => [],
  'PHP-style array': (name, valid) => [`${name}[]=${encodeURIComponent(valid)}`],
};

/** The forms of a page: their action's path and their fields (the first submit button's too). */
function formsOf(html: string): Array<{ path: string; fields: Array<[string, string]> }> {
  const decodeEntities = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const attr = (tag: string, name: string) => {
    const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
    return match ? decodeEntities(match[1]!) : undefined;
  };
  const forms = [];
  for (const form of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const action = attr(form[1]!, 'action') ?? '';
    const fields: Array<[string, string]> = [];
    for (const input of form[2]!.matchAll(/<input\b[^>]*>/g)) {
      const name = attr(input[0], 'name');
      if (!name) continue;
      const type = attr(input[0], 'type') ?? 'text';
      if (type === 'checkbox' && !/\schecked\b/.test(input[0])) continue;
      const value = attr(input[0], 'value');
      // What the person types into the sign-in form's empty fields.
      const typed = name === 'password' ? PASSWORD : name === 'username' ? 'alice' : '';
      fields.push([name, value || typed]);
    }
    const button = /<button\b[^>]*\sname="[^"]*"[^>]*>/.exec(form[2]!);
    if (button) fields.push([attr(button[0], 'name')!, attr(button[0], 'value') ?? '']);
    forms.push({ path: new URL(action, 'https://issuer.test').pathname, fields });
  }
  return forms;
}

for (const backend of storeBackends()) {
  describe(`robustness: one hostile field in a valid request (${backend.name})`, {
    skip: backend.skipReason,
  }, () => {
    let t: TestIssuer;
    before(async () => {
      t = await startTestIssuer(await backend.open(), sweepConfig);
    });
    after(() => t.close());

    const failures: string[] = [];
    beforeEach(() => {
      failures.length = 0;
    });
    afterEach(() => {
      assert.deepEqual(failures.slice(0, 40), [], `${failures.length} unsafe answers`);
    });

    async function send(prepared: Prepared, pairs: string[]): Promise<LightMyRequestResponse> {
      const encoded = pairs.join('&');
      const headers: Record<string, string> = { ...prepared.headers };
      if (prepared.jar) headers['cookie'] = prepared.jar.header();
      const options =
        prepared.method === 'POST'
          ? {
              method: 'POST' as const,
              url: prepared.path,
              headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
              payload: encoded,
            }
          : { method: 'GET' as const, url: `${prepared.path}?${encoded}`, headers };
      const res = await withinSeconds(5, t.issuer.app.inject(options), `${prepared.method} ${prepared.path}`);
      prepared.jar?.take(res);
      return res;
    }

    /** Sends every mutation of every field; returns the answers by "field: mutation". */
    async function sweep(target: Target): Promise<void> {
      const first = await target.prepare();
      // The control: unchanged, the request succeeds, so each probe below differs from a good
      // request by its one field alone.
      const control = await send(
        first,
        first.fields.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`),
      );
      assert.ok(
        control.statusCode < 400,
        `${target.name}: the valid request failed: ${control.statusCode} ${control.body.slice(0, 300)}`,
      );
      const names = [...new Set([...first.fields.map(([n]) => n), ...(target.extra ?? [])])];
      for (const name of names) {
        for (const [label, mutate] of Object.entries(MUTATIONS)) {
          const prepared = await target.prepare();
          const valid = prepared.fields.find(([n]) => n === name)?.[1] ?? 'x';
          const pairs = prepared.fields
            .filter(([n]) => n !== name)
            .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`);
          pairs.push(...mutate(name, valid));
          const res = await send(prepared, pairs);
          try {
            assertSafeAnswer(res, target.kind, {
              method: prepared.method,
              url: prepared.path,
              probe: `${target.name} — ${name}: ${label}`,
            });
          } catch (error) {
            failures.push((error as Error).message.split('\n')[0]!);
          }
        }
      }
    }

    /** GETs `url` as `jar`, following the issuer's own redirects, and returns the page reached. */
    async function follow(jar: CookieJar, url: string): Promise<LightMyRequestResponse> {
      let next = url;
      for (let i = 0; i < 10; i++) {
        const res = await t.issuer.app.inject({
          method: 'GET',
          url: next,
          headers: { cookie: jar.header() },
        });
        jar.take(res);
        const location = res.headers.location;
        if (!location || !String(location).startsWith('https://issuer.test/')) return res;
        next = String(location).slice('https://issuer.test'.length);
      }
      throw new Error(`redirect loop from ${url}`);
    }

    /** A target made of the only form on the page `url` leads to. */
    function pageForm(
      name: string,
      /** Where the form is, and what the person types into its empty fields. */
      setUp: () => Promise<{ jar: CookieJar; url: string; typed?: Record<string, string> }>,
      pick = 0,
      extra?: string[],
    ): Target {
      return {
        name,
        kind: 'page',
        ...(extra ? { extra } : {}),
        async prepare() {
          const { jar, url, typed = {} } = await setUp();
          const page = await follow(jar, url);
          const form = formsOf(page.body)[pick];
          assert.ok(form, `${name}: no form at ${url}: ${page.statusCode} ${page.body.slice(0, 200)}`);
          const fields = form.fields.map(([n, v]): [string, string] => [n, v || (typed[n] ?? '')]);
          return { method: 'POST', path: form.path, fields, jar };
        },
      };
    }

    const query = (params: string) => [...new URLSearchParams(params)] as Array<[string, string]>;
    const AUTHORIZE_EXTRA = [
      'prompt',
      'max_age',
      'login_hint',
      'ui_locales',
      'resource',
      'request_uri',
      'request',
      'response_mode',
      'dpop_jkt',
      'id_token_hint',
    ];

    it('the token endpoint, every grant', async () => {
      await sweep({
        name: 'client_credentials',
        kind: 'json',
        extra: ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'],
        prepare: async () => ({
          method: 'POST',
          path: '/token',
          fields: [
            ['grant_type', 'client_credentials'],
            ['scope', 'orders:read'],
            ['resource', 'https://api.test'],
          ],
          headers: { authorization: basicAuthorization('service', SERVICE_SECRET) },
        }),
      });
      const who = await startSessionFor(t);
      await sweep({
        name: 'authorization_code',
        kind: 'json',
        extra: ['resource', 'scope', 'client_id'],
        prepare: async () => ({
          method: 'POST',
          path: '/token',
          fields: Object.entries(codeRequest(await seedCode(t, who))),
          headers: { authorization: APP_BASIC },
        }),
      });
      await sweep({
        name: 'refresh_token',
        kind: 'json',
        extra: ['scope', 'resource'],
        async prepare() {
          const code = await seedCode(t, who, { scope: 'openid offline_access' });
          const res = await t.post('/token', codeRequest(code), { basic: ['web-app', APP_SECRET] });
          assert.equal(res.statusCode, 200, res.body);
          return {
            method: 'POST',
            path: '/token',
            fields: [
              ['grant_type', 'refresh_token'],
              ['refresh_token', res.json().refresh_token],
            ],
            headers: { authorization: APP_BASIC },
          };
        },
      });
      await sweep({
        name: 'device_code',
        kind: 'json',
        async prepare() {
          const device = await startDevice(t, { client_id: 'cli', scope: 'openid orders:read' });
          await approveDevice(t, device.device_code, who);
          return { method: 'POST', path: '/token', fields: Object.entries(pollRequest(device.device_code)) };
        },
      });
      await sweep({
        name: 'public client code',
        kind: 'json',
        async prepare() {
          const code = await seedCode(t, who, { clientId: 'spa' });
          return {
            method: 'POST',
            path: '/token',
            fields: Object.entries({ ...codeRequest(code), client_id: 'spa', code_verifier: VERIFIER }),
          };
        },
      });
    });

    it('introspection, revocation, UserInfo, PAR and device authorization', async () => {
      await sweep({
        name: 'introspect',
        kind: 'json',
        prepare: async () => ({
          method: 'POST',
          path: '/introspect',
          fields: [
            ['token', await t.issueToken({ scope: 'ledger:read', resource: 'https://opaque.test' })],
            ['token_type_hint', 'access_token'],
          ],
          headers: { authorization: basicAuthorization('resource-server', SERVICE_SECRET) },
        }),
      });
      await sweep({
        name: 'revoke',
        kind: 'json',
        prepare: async () => ({
          method: 'POST',
          path: '/revoke',
          fields: [
            ['token', await t.issueToken({ scope: 'ledger:read', resource: 'https://opaque.test' })],
            ['token_type_hint', 'refresh_token'],
          ],
          headers: { authorization: basicAuthorization('service', SERVICE_SECRET) },
        }),
      });
      const who = await startSessionFor(t);
      await sweep({
        name: 'userinfo',
        kind: 'json',
        async prepare() {
          const res = await t.post('/token', codeRequest(await seedCode(t, who)), {
            basic: ['web-app', APP_SECRET],
          });
          return { method: 'POST', path: '/userinfo', fields: [['access_token', res.json().access_token]] };
        },
      });
      await sweep({
        name: 'par',
        kind: 'json',
        extra: AUTHORIZE_EXTRA,
        prepare: async () => ({
          method: 'POST',
          path: '/par',
          fields: query(authorizeQuery()),
          headers: { authorization: APP_BASIC },
        }),
      });
      await sweep({
        name: 'device_authorization',
        kind: 'json',
        extra: ['resource'],
        prepare: async () => ({
          method: 'POST',
          path: '/device_authorization',
          fields: [
            ['client_id', 'cli'],
            ['scope', 'openid orders:read'],
          ],
        }),
      });
    });

    it('the authorization and logout requests, signed out and signed in', async () => {
      const signedIn = await signIn(t.issuer.app);
      // OpenID Connect allows both requests by POST as well (Core §3.1.2.1, RP-Initiated Logout §2).
      for (const method of ['GET', 'POST'] as const) {
        for (const jar of [undefined, signedIn]) {
          const who = `${method}${jar ? ', signed in' : ''}`;
          await sweep({
            name: `authorize, ${who}`,
            kind: 'page',
            extra: AUTHORIZE_EXTRA,
            prepare: async () => ({
              method,
              path: '/authorize',
              fields: query(authorizeQuery()),
              ...(jar ? { jar } : {}),
            }),
          });
          await sweep({
            name: `logout, ${who}`,
            kind: 'page',
            extra: ['id_token_hint', 'logout_hint'],
            prepare: async () => ({
              method,
              path: '/logout',
              fields: [
                ['client_id', 'web-app'],
                ['post_logout_redirect_uri', LOGOUT_REDIRECT],
                ['state', 'state-1'],
                ['ui_locales', 'en'],
              ],
              ...(jar ? { jar } : {}),
            }),
          });
        }
      }
    });

    it('the pages’ forms: login, consent, logout, account, device', async () => {
      const fresh = async () => ({ jar: new CookieJar(), url: `/authorize?${authorizeQuery()}` });
      // Each sweep of a sign-in or code form fails often enough to be throttled; the next
      // sweep starts after the throttle forgot.
      const forget = () => t.clock.advance(2 * 3600 * 1000);
      await sweep(pageForm('login', fresh));
      forget();
      // prompt=consent: the page is shown even once a grant exists (OpenID Connect Core §3.1.2.1).
      const signedIn = async () => ({
        jar: await signIn(t.issuer.app),
        url: `/authorize?${authorizeQuery({ prompt: 'consent' })}`,
      });
      const consent = pageForm('consent', signedIn, 0, ['scope']);
      await sweep(consent);
      await sweep(
        pageForm('logout confirmation', async () => ({
          jar: await signIn(t.issuer.app),
          url: `/logout?client_id=web-app&post_logout_redirect_uri=${encodeURIComponent(LOGOUT_REDIRECT)}&state=s`,
        })),
      );
      // A grant to revoke: consent given once.
      const withGrant = async () => {
        const jar = await signIn(t.issuer.app);
        const prepared = await consent.prepare();
        const res = await t.issuer.app.inject({
          method: 'POST',
          url: prepared.path,
          headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(prepared.fields).toString(),
        });
        jar.take(res);
        return { jar, url: '/account' };
      };
      await sweep(pageForm('account: end a session', withGrant, 0));
      await sweep(pageForm('account: revoke a grant', withGrant, 1));
      const device = async (jar: CookieJar) => {
        const started = await startDevice(t, { client_id: 'cli', scope: 'openid orders:read' });
        return { jar, url: `/device?user_code=${encodeURIComponent(started.user_code)}` };
      };
      await sweep(
        pageForm('device: code entry', async () => {
          const started = await startDevice(t, { client_id: 'cli', scope: 'openid orders:read' });
          return { jar: new CookieJar(), url: '/device', typed: { user_code: started.user_code } };
        }),
      );
      forget();
      await sweep(pageForm('device: sign-in', () => device(new CookieJar()), 0, ['user_code']));
      forget();
      await sweep(pageForm('device: decision', async () => device(await signIn(t.issuer.app)), 0, ['scope']));
    });
  });
}
