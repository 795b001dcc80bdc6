import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import type { InjectOptions } from 'fastify';
import {
  INTERACTION_COOKIE_PREFIX,
  interactionCookieName,
} from '../../src/interaction/interaction-cookie.js';
import type { Issuer } from '../../src/issuer.js';
import { CSRF_COOKIE } from '../../src/pages/csrf-cookie.js';
import { SESSION_COOKIE } from '../../src/sessions/session-cookie.js';
import { authorizeQuery } from '../../src/testing/browser-flow.js';
import { unsignedJwt } from '../../src/testing/dpop-proof.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../../src/testing/harness.js';
import { assertSafeAnswer, HOSTILE_VALUES, routesOf, withinSeconds } from './probe.js';
import { POST_ONLY, ROUTES } from './routes.js';
import { signIn, startIssuerWithAnotherMasterKey, sweepConfig } from './sweep-issuer.js';

const PATHS = [...new Set(Object.keys(ROUTES).map((r) => r.split(' ')[1]!))];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** Parameter names the endpoints read; each hostile value is tried under all of them at once. */
const PARAMETERS = [
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'code',
  'code_verifier',
  'code_challenge',
  'code_challenge_method',
  'redirect_uri',
  'post_logout_redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'prompt',
  'max_age',
  'login_hint',
  'ui_locales',
  'id_token_hint',
  'request',
  'request_uri',
  'resource',
  'dpop_jkt',
  'refresh_token',
  'device_code',
  'user_code',
  'token',
  'token_type_hint',
  'access_token',
  'interaction',
  'interaction_id',
  'csrf_token',
  'username',
  'password',
  'decision',
  'consent',
  'session_id',
  'grant_id',
  'logout',
  'logout_id',
  'logout_hint',
  'notice',
];

function formOf(encodedValue: string, names = PARAMETERS): string {
  return names.map((name) => `${name}=${encodedValue}`).join('&');
}

for (const backend of storeBackends()) {
  describe(`robustness: hostile input to every route (${backend.name})`, { skip: backend.skipReason }, () => {
    let t: TestIssuer;
    let other: { issuer: Issuer; close(): Promise<void> };
    let app: TestIssuer['issuer']['app'];

    before(async () => {
      t = await startTestIssuer(await backend.open(), sweepConfig);
      app = t.issuer.app;
      other = await startIssuerWithAnotherMasterKey(backend);
    });
    after(async () => {
      await t.close();
      await other.close();
    });

    /** Sends a request and checks the answer is safe for the route it reached. */
    async function probe(options: InjectOptions & { method: string; url: string }, label: string) {
      const res = await withinSeconds(5, app.inject(options), `${options.method} ${options.url} [${label}]`);
      const path = options.url.split('?')[0]!;
      const kind = ROUTES[`${options.method} ${path}`] ?? 'json';
      try {
        assertSafeAnswer(res, kind, { method: options.method, url: options.url, probe: label });
      } catch (error) {
        failures.push((error as Error).message.split('\n')[0]!);
      }
      return res;
    }
    /** Every unsafe answer of a test, reported together at its end. */
    const failures: string[] = [];
    beforeEach(() => {
      failures.length = 0;
    });
    afterEach(() => {
      assert.deepEqual(failures.slice(0, 40), [], `${failures.length} unsafe answers`);
    });

    it('knows every route the app serves', async () => {
      await app.ready();
      const served = routesOf(app);
      assert.ok(served.size > 20, 'the route tree was read');
      assert.deepEqual(
        [...served].filter((r) => !(r in ROUTES)),
        [],
        'routes the sweep does not know',
      );
      assert.deepEqual(
        Object.keys(ROUTES).filter((r) => !served.has(r)),
        [],
        'routes no longer served',
      );
    });

    it('answers every method on every path safely: unknown methods get 404 or 405 with Allow', async () => {
      for (const path of PATHS) {
        for (const method of METHODS) {
          const res = await probe({ method, url: path }, 'bare');
          if (!(`${method} ${path}` in ROUTES)) {
            assert.ok([404, 405].includes(res.statusCode), `${method} ${path} → ${res.statusCode}`);
          }
          if (res.statusCode === 405) assert.ok(res.headers.allow, `405 without Allow: ${method} ${path}`);
        }
      }
    });

    it('POST-only endpoints answer other methods with 405, Allow: POST and invalid_request', async () => {
      for (const path of POST_ONLY) {
        for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
          const res = await probe({ method, url: path }, 'wrong method');
          assert.equal(res.statusCode, 405);
          assert.equal(res.headers.allow, 'POST');
          assert.equal(res.json().error, 'invalid_request');
        }
      }
    });

    const routes = () => Object.keys(ROUTES).map((r) => r.split(' ') as [string, string]);

    it('hostile parameter values in the query and the form', async () => {
      for (const [method, path] of routes()) {
        for (const [label, value] of Object.entries(HOSTILE_VALUES)) {
          if (method === 'POST') {
            await probe(
              {
                method,
                url: path,
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                payload: formOf(value),
              },
              `form: ${label}`,
            );
          }
          await probe({ method, url: `${path}?${formOf(value)}` }, `query: ${label}`);
        }
      }
    });

    it('duplicated parameters, arrays and parameters without names or values', async () => {
      const shapes: Record<string, string> = {
        duplicated: `${formOf('a')}&${formOf('b')}`,
        'duplicated, same value': `${formOf('a')}&${formOf('a')}`,
        'PHP-style array': PARAMETERS.map((n) => `${n}[]=a&${n}[0]=b&${n}[x][y]=c`).join('&'),
        'no value': PARAMETERS.join('&'),
        'no name': '=a&=b&&&=',
        'resource 100 times': Array.from({ length: 100 }, (_, i) => `resource=https://api.test/${i}`).join(
          '&',
        ),
      };
      for (const [method, path] of routes()) {
        for (const [label, body] of Object.entries(shapes)) {
          if (method === 'POST') {
            await probe(
              {
                method,
                url: path,
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                payload: body,
              },
              label,
            );
          }
          await probe({ method, url: `${path}?${body}` }, `query: ${label}`);
        }
      }
    });

    it('a body over the limit gets 413 on every POST route; a 100 kB query is answered too', async () => {
      const big = `x=${'a'.repeat(100_000)}`;
      for (const [method, path] of routes()) {
        if (method === 'POST') {
          const res = await probe(
            {
              method,
              url: path,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              payload: big,
            },
            '100 kB body',
          );
          assert.equal(res.statusCode, 413, `${method} ${path}`);
        }
        await probe({ method, url: `${path}?${big}` }, '100 kB query');
      }
    });

    it('wrong content types, malformed JSON and empty bodies', async () => {
      const bodies: Array<[string, Record<string, string>, string]> = [
        ['JSON', { 'content-type': 'application/json' }, '{"grant_type":"client_credentials"}'],
        ['malformed JSON', { 'content-type': 'application/json' }, '{"grant_type":'],
        ['JSON bomb', { 'content-type': 'application/json' }, `${'['.repeat(5000)}${']'.repeat(5000)}`],
        [
          'multipart',
          { 'content-type': 'multipart/form-data; boundary=x' },
          '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--\r\n',
        ],
        ['text/plain', { 'content-type': 'text/plain' }, 'grant_type=client_credentials'],
        ['no content type', {}, 'grant_type=client_credentials'],
        ['empty content type', { 'content-type': '' }, 'grant_type=client_credentials'],
        ['garbage content type', { 'content-type': ';;;/;=' }, 'a'],
        [
          'latin1 form',
          { 'content-type': 'application/x-www-form-urlencoded; charset=latin1' },
          'grant_type=client_credentials&scope=caf%E9',
        ],
        ['form, empty body', { 'content-type': 'application/x-www-form-urlencoded' }, ''],
        ['form, body of spaces', { 'content-type': 'application/x-www-form-urlencoded' }, '   '],
        ['form with a JSON body', { 'content-type': 'application/x-www-form-urlencoded' }, '{"a":1}'],
      ];
      for (const [method, path] of routes()) {
        if (method !== 'POST') continue;
        for (const [label, headers, payload] of bodies) {
          const res = await probe({ method, url: path, headers, payload }, label);
          // RFC 6749 §3.2: the endpoints take forms; any other body is a malformed request.
          if (
            /JSON$|^JSON|multipart|text\/plain|no content type/.test(label) &&
            ROUTES[`POST ${path}`] === 'json'
          ) {
            assert.equal(res.statusCode, 400, `${label} ${path}: ${res.body}`);
            assert.equal(res.json().error, 'invalid_request', `${label} ${path}`);
          }
        }
      }
    });

    it('garbage, oversized and foreign cookies', async () => {
      const foreign = await signIn(other.issuer.app);
      const INTERACTION_COOKIE = interactionCookieName('A'.repeat(22));
      const cookies: Record<string, string> = {
        'garbage session': `${SESSION_COOKIE}=!!!`,
        'oversized session': `${SESSION_COOKIE}=${'a'.repeat(8000)}`,
        'garbage interaction': `${INTERACTION_COOKIE}=%ZZ.%00.a`,
        'oversized interaction': `${INTERACTION_COOKIE}=${'A'.repeat(8000)}`,
        'garbage CSRF': `${CSRF_COOKIE}=..%C0%AF`,
        'all three, garbage': `${SESSION_COOKIE}=x; ${INTERACTION_COOKIE}=x.y.z; ${CSRF_COOKIE}=x`,
        'interaction cookies with odd names': `${INTERACTION_COOKIE_PREFIX}=x; ${INTERACTION_COOKIE_PREFIX}(a)=x; ${INTERACTION_COOKIE_PREFIX}${'é'.repeat(22)}=x`,
        'fifty garbage interaction cookies': Array.from(
          { length: 50 },
          (_, i) => `${interactionCookieName(String(i).padStart(22, 'A'))}=x.y.z.${i}`,
        ).join('; '),
        'duplicated cookies': `${SESSION_COOKIE}=a; ${SESSION_COOKIE}=b; ${CSRF_COOKIE}=a; ${CSRF_COOKIE}=b`,
        'malformed cookie header': '=;;; ;=;a;b=c=d; =x',
        'another issuer instance': foreign.header(),
      };
      for (const [method, path] of routes()) {
        for (const [label, cookie] of Object.entries(cookies)) {
          const headers: Record<string, string> = { cookie };
          let payload: string | undefined;
          if (method === 'POST') {
            headers['content-type'] = 'application/x-www-form-urlencoded';
            payload = formOf('a');
          }
          await probe({ method, url: path, headers, ...(payload ? { payload } : {}) }, label);
          await probe(
            { method, url: `${path}?${authorizeQuery()}`, headers, ...(payload ? { payload } : {}) },
            label,
          );
        }
      }
    });

    it('garbage Authorization, DPoP, Host and User-Agent headers', async () => {
      const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const b64 = (s: string) => Buffer.from(s).toString('base64url');
      const headerSets: Record<string, Record<string, string | string[]>> = {
        'Basic !!!': { authorization: 'Basic !!!' },
        'Basic without colon': { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
        'Basic with bad percent-encoding': {
          authorization: `Basic ${Buffer.from('%ZZ:%C0%AF').toString('base64')}`,
        },
        'Basic of 10 kB': {
          authorization: `Basic ${Buffer.from(`${'a'.repeat(5000)}:${'b'.repeat(5000)}`).toString('base64')}`,
        },
        'Basic alone': { authorization: 'Basic' },
        'Basic with NUL in the client id': {
          authorization: `Basic ${Buffer.from('a%00b:secret').toString('base64')}`,
        },
        'Basic with a raw NUL': { authorization: `Basic ${Buffer.from('a\0b:se\0cret').toString('base64')}` },
        'Basic with invalid UTF-8': {
          authorization: `Basic ${Buffer.concat([Buffer.from([0xc0, 0xaf, 0xff]), Buffer.from(':x')]).toString('base64')}`,
        },
        'Bearer with spaces': { authorization: 'Bearer a b c' },
        'Bearer alone': { authorization: 'Bearer ' },
        'Bearer of 10 kB': { authorization: `Bearer ${'a'.repeat(10_000)}` },
        'unknown scheme': { authorization: 'Negotiate abc' },
        'DPoP without proof': { authorization: 'DPoP abc' },
        'two Authorization headers': { authorization: ['Basic YTpi', 'Bearer abc'] },
        'DPoP not a JWT': { dpop: 'not-a-jwt' },
        'two DPoP headers': { dpop: ['a.b.c', 'd.e.f'] },
        'DPoP alg none': {
          dpop: unsignedJwt(
            { alg: 'none', typ: 'dpop+jwt', jwk: { kty: 'EC' } },
            { htm: 'POST', htu: `${TEST_ISSUER}/token`, iat: 1, jti: 'x' },
          ),
        },
        'DPoP with a huge jwk': {
          dpop: `${b64(JSON.stringify({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: 'EC', x: 'a'.repeat(6000) } }))}.${b64('{}')}.${'a'.repeat(86)}`,
        },
        'DPoP JSON bomb': { dpop: `${b64(nested(2000))}.${b64(nested(2000))}.sig` },
        'DPoP header not JSON': { dpop: `${b64('{{{')}.${b64('[')}.x` },
        'DPoP-bound token without proof': { authorization: 'DPoP abc', dpop: '' },
        'long Host': { host: `${'a'.repeat(10_000)}.test` },
        'Host with a port of garbage': { host: 'issuer.test:99999999' },
        'long User-Agent': { 'user-agent': 'u'.repeat(10_000) },
        'X-Forwarded-For garbage': { 'x-forwarded-for': 'not an address, %00' },
      };
      for (const [method, path] of routes()) {
        for (const [label, extra] of Object.entries(headerSets)) {
          const headers: Record<string, string | string[]> = { ...extra };
          let payload: string | undefined;
          if (method === 'POST') {
            headers['content-type'] = 'application/x-www-form-urlencoded';
            payload = 'grant_type=client_credentials&token=abc';
          }
          await probe(
            {
              method,
              url: path,
              headers: headers as Record<string, string>,
              ...(payload ? { payload } : {}),
            },
            label,
          );
        }
      }
    });

    it('signed in: hostile values with a live session, and after the session expired', async () => {
      const jar = await signIn(app);
      const run = async (label: string) => {
        for (const [method, path] of routes()) {
          for (const [valueLabel, value] of Object.entries(HOSTILE_VALUES)) {
            const headers: Record<string, string> = { cookie: jar.header() };
            if (method === 'POST') {
              headers['content-type'] = 'application/x-www-form-urlencoded';
              await probe({ method, url: path, headers, payload: formOf(value) }, `${label}: ${valueLabel}`);
            } else {
              await probe({ method, url: `${path}?${formOf(value)}`, headers }, `${label}: ${valueLabel}`);
            }
          }
        }
      };
      await run('signed in');
      t.clock.advance(400 * 24 * 3600 * 1000);
      await run('expired session');
    });
  });
}
