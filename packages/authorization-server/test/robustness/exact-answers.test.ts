import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { authorizeQuery, CookieJar, csrfTokenOf, REDIRECT } from '../../src/testing/browser-flow.js';
import { codeRequest, seedCode, signIn as startSessionFor } from '../../src/testing/code-grant.js';
import { createDpopKey, unsignedJwt } from '../../src/testing/dpop-proof.js';
import {
  basicAuthorization,
  SERVICE_SECRET,
  startTestIssuer,
  TEST_ISSUER,
  type TestIssuer,
} from '../../src/testing/harness.js';
import { assertSafeAnswer, type RouteKind } from './probe.js';
import { APP_SECRET, LOGOUT_REDIRECT, signIn, sweepConfig } from './sweep-issuer.js';

/**
 * Hostile inputs whose answer the RFCs pin down exactly: the error code, the status, and where
 * it goes (the client's redirect URI, or a page for the person when the URI cannot be trusted).
 * Several of these were 500s once; they stay as regression tests.
 */

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const SERVICE_BASIC = basicAuthorization('service', SERVICE_SECRET);

for (const backend of storeBackends()) {
  describe(`robustness: exact answers to hostile input (${backend.name})`, {
    skip: backend.skipReason,
  }, () => {
    let t: TestIssuer;
    let jar: CookieJar;
    before(async () => {
      t = await startTestIssuer(await backend.open(), sweepConfig);
      jar = await signIn(t.issuer.app);
    });
    after(() => t.close());

    const inject = async (options: InjectOptions & { method: string; url: string }, kind: RouteKind) => {
      const res = await t.issuer.app.inject(options);
      assertSafeAnswer(res, kind, { method: options.method, url: options.url, probe: 'exact' });
      return res;
    };
    const authorize = (params: Record<string, string>, extra = '') =>
      inject(
        {
          method: 'GET',
          url: `/authorize?${authorizeQuery(params)}${extra}`,
          headers: { cookie: jar.header() },
        },
        'page',
      );
    const tokenPost = (payload: string, headers: Record<string, string> = { authorization: SERVICE_BASIC }) =>
      inject({ method: 'POST', url: '/token', headers: { ...FORM, ...headers }, payload }, 'json');

    /** The error redirect to the client: RFC 6749 §4.1.2.1 with state, RFC 9207 iss. */
    function errorRedirect(res: LightMyRequestResponse, code: string, state = 'state-123'): URL {
      assert.equal(res.statusCode, 303, res.body.slice(0, 300));
      const location = new URL(String(res.headers.location));
      assert.equal(location.origin + location.pathname, REDIRECT);
      assert.equal(location.searchParams.get('error'), code, location.href);
      assert.equal(location.searchParams.get('state'), state);
      assert.equal(location.searchParams.get('iss'), TEST_ISSUER);
      return location;
    }
    function errorPage(res: LightMyRequestResponse, status: number): void {
      assert.equal(res.statusCode, status, res.body.slice(0, 300));
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers.location, undefined);
    }
    function jsonError(res: LightMyRequestResponse, status: number, code: string): void {
      assert.equal(res.statusCode, status, res.body);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.json().error, code);
      assert.equal(res.headers['cache-control'], 'no-store');
    }

    it('prompt: none with another value is invalid_request (OpenID Connect Core §3.1.2.1); so is an unknown value', async () => {
      for (const prompt of ['none login', 'login none', 'none consent', 'bogus', 'login bogus']) {
        errorRedirect(await authorize({ prompt }), 'invalid_request');
      }
    });

    it('max_age negative, fractional, not a number or beyond any integer is invalid_request', async () => {
      for (const maxAge of ['-1', '1.5', 'abc', '1e309', '99999999999999999999', ' 5', '0x10']) {
        errorRedirect(await authorize({ max_age: maxAge }), 'invalid_request');
      }
    });

    it('resource given 100 times, none known, is invalid_target (RFC 8707 §2)', async () => {
      const extra = Array.from({ length: 100 }, (_, i) => `&resource=https://api.test/${i}`).join('');
      errorRedirect(await authorize({}, extra), 'invalid_target');
    });

    it('10,000 scopes: over the parameter limit at /authorize (a 400 page, as nothing of the request can be trusted), over the body limit at the API (413)', async () => {
      const scope = Array.from({ length: 10_000 }, (_, i) => `s${i}`).join(' ');
      errorPage(await authorize({ scope }), 400);
      jsonError(await tokenPost(`grant_type=client_credentials&scope=${scope}`), 413, 'invalid_request');
      const device = await inject(
        {
          method: 'POST',
          url: '/device_authorization',
          headers: FORM,
          payload: `client_id=cli&scope=${scope}`,
        },
        'json',
      );
      jsonError(device, 413, 'invalid_request');
      // Under the body limit but over the parameter limit: 400.
      const many = Array.from({ length: 2000 }, (_, i) => `s${i}`).join(' ');
      jsonError(await tokenPost(`grant_type=client_credentials&scope=${many}`), 400, 'invalid_request');
    });

    it('1000 ui_locales tags and an HTML login_hint: the sign-in page still comes, the hint escaped', async () => {
      const fresh = new CookieJar();
      const start = await inject(
        {
          method: 'GET',
          url: `/authorize?${authorizeQuery({
            ui_locales: Array.from({ length: 1000 }, (_, i) => `x${i}-AB`).join(' '),
            login_hint: '"><script>alert(1)</script>',
          })}`,
        },
        'page',
      );
      fresh.take(start);
      assert.equal(start.statusCode, 303);
      const login = new URL(String(start.headers.location));
      assert.equal(login.pathname, '/login');
      const page = await inject(
        { method: 'GET', url: login.pathname + login.search, headers: { cookie: fresh.header() } },
        'page',
      );
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes('<script>alert(1)'), 'the hint is escaped');
      assert.ok(page.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the hint is shown');
      assert.match(page.body, /<html lang="en">/);
    });

    it('CR/LF in state is percent-encoded in the redirect; in redirect_uri it is a page, never a redirect', async () => {
      const res = await authorize({ state: 'a\r\nX-Injected: 1', prompt: 'bogus' });
      const location = errorRedirect(res, 'invalid_request', 'a\r\nX-Injected: 1');
      assert.match(String(res.headers.location), /state=a%0D%0AX-Injected/);
      assert.equal(location.searchParams.get('state'), 'a\r\nX-Injected: 1');
      errorPage(await authorize({ redirect_uri: `${REDIRECT}\r\nX-Injected: 1` }), 400);
    });

    it('logout: CR/LF in post_logout_redirect_uri is a page; in state it is percent-encoded', async () => {
      const bad = await inject(
        {
          method: 'GET',
          url: `/logout?client_id=web-app&post_logout_redirect_uri=${encodeURIComponent(`${LOGOUT_REDIRECT}\r\nX-Injected: 1`)}`,
        },
        'page',
      );
      errorPage(bad, 400);
      const res = await inject(
        {
          method: 'GET',
          url: `/logout?client_id=web-app&post_logout_redirect_uri=${encodeURIComponent(LOGOUT_REDIRECT)}&state=${encodeURIComponent('a\r\nX-Injected: 1')}`,
        },
        'page',
      );
      assert.equal(res.statusCode, 303);
      assert.equal(String(res.headers.location), `${LOGOUT_REDIRECT}?state=a%0D%0AX-Injected%3A%201`);
    });

    it('a user_code of 10 kB on /device is a 400 page that does not repeat it', async () => {
      const code = 'A'.repeat(10_000);
      const viaLink = await inject({ method: 'GET', url: `/device?user_code=${code}` }, 'page');
      errorPage(viaLink, 400);
      assert.ok(!viaLink.body.includes('A'.repeat(100)));
      const browser = new CookieJar();
      const form = await inject({ method: 'GET', url: '/device' }, 'page');
      browser.take(form);
      const typed = await inject(
        {
          method: 'POST',
          url: '/device',
          headers: { ...FORM, cookie: browser.header() },
          payload: `csrf_token=${encodeURIComponent(csrfTokenOf(form.body))}&user_code=${code}`,
        },
        'page',
      );
      errorPage(typed, 400);
      assert.ok(!typed.body.includes('A'.repeat(100)));
    });

    it('NUL in a form parameter is invalid_request, also where PostgreSQL would have been asked', async () => {
      jsonError(
        await tokenPost(
          'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=x&client_id=a%00b',
          {},
        ),
        400,
        'invalid_request',
      );
      const device = await inject(
        {
          method: 'POST',
          url: '/device_authorization',
          headers: FORM,
          payload: 'client_id=cli%00&scope=openid',
        },
        'json',
      );
      jsonError(device, 400, 'invalid_request');
      // A posted interaction_id with NUL once crashed the CSRF check.
      const browser = new CookieJar();
      const start = await inject({ method: 'GET', url: `/authorize?${authorizeQuery()}` }, 'page');
      browser.take(start);
      const loginUrl = new URL(String(start.headers.location));
      const login = await inject(
        { method: 'GET', url: loginUrl.pathname + loginUrl.search, headers: { cookie: browser.header() } },
        'page',
      );
      browser.take(login);
      const posted = await inject(
        {
          method: 'POST',
          url: '/login',
          headers: { ...FORM, cookie: browser.header() },
          payload: `csrf_token=${encodeURIComponent(csrfTokenOf(login.body))}&interaction_id=%00&username=alice&password=x`,
        },
        'page',
      );
      errorPage(posted, 400);
    });

    it('a failed sign-in with an empty username shows the credentials error, not a 500', async () => {
      for (const path of ['/login', '/device/login']) {
        const browser = new CookieJar();
        let page: LightMyRequestResponse;
        let interaction: string;
        if (path === '/login') {
          const start = await inject({ method: 'GET', url: `/authorize?${authorizeQuery()}` }, 'page');
          browser.take(start);
          const loginUrl = new URL(String(start.headers.location));
          interaction = loginUrl.searchParams.get('interaction')!;
          page = await inject(
            {
              method: 'GET',
              url: loginUrl.pathname + loginUrl.search,
              headers: { cookie: browser.header() },
            },
            'page',
          );
        } else {
          const started = await t.post('/device_authorization', { client_id: 'cli', scope: 'openid' });
          page = await inject(
            { method: 'GET', url: `/device?user_code=${started.json().user_code}` },
            'page',
          );
          interaction = /name="interaction_id" value="([^"]+)"/.exec(page.body)![1]!;
        }
        browser.take(page);
        const res = await inject(
          {
            method: 'POST',
            url: path,
            headers: { ...FORM, cookie: browser.header() },
            payload: new URLSearchParams({
              csrf_token: csrfTokenOf(page.body),
              interaction_id: interaction,
              username: '',
              password: 'wrong',
            }).toString(),
          },
          'page',
        );
        assert.equal(res.statusCode, 400, `${path}: ${res.body.slice(0, 200)}`);
        assert.match(res.body, /The username or password is incorrect\./, path);
      }
      t.clock.advance(2 * 3600 * 1000);
    });

    it('garbage client credentials are invalid_client with a Basic challenge (RFC 6749 §5.2)', async () => {
      for (const authorization of [
        'Basic !!!',
        `Basic ${Buffer.from('no-colon').toString('base64')}`,
        `Basic ${Buffer.from('a%00b:secret').toString('base64')}`,
        'Basic',
      ]) {
        const res = await tokenPost('grant_type=client_credentials', { authorization });
        jsonError(res, 401, 'invalid_client');
        assert.equal(
          res.headers['www-authenticate'],
          'Basic realm="gatehouse", charset="UTF-8"',
          authorization,
        );
      }
    });

    it('a client assertion naming a client with NUL, without client_id, is invalid_client', async () => {
      const assertion = unsignedJwt(
        { alg: 'ES256' },
        { iss: 'a\0b', sub: 'a\0b', aud: TEST_ISSUER, jti: 'j', exp: Math.floor(t.clock() / 1000) + 60 },
      );
      const res = await tokenPost(
        `grant_type=client_credentials&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=${assertion}`,
        {},
      );
      jsonError(res, 401, 'invalid_client');
    });

    /** Proofs no server can accept, each for `htm` at `htu` where it is signed at all. */
    async function garbageProofs(
      htm: string,
      htu: string,
      accessToken?: string,
    ): Promise<Record<string, string>> {
      const b64 = (s: string) => Buffer.from(s).toString('base64url');
      const nested = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
      const key = await createDpopKey(t.clock);
      const iat = Math.floor(t.clock() / 1000);
      return {
        'not a JWT': 'not-a-jwt',
        'alg none': unsignedJwt(
          { alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk },
          { htm, htu, iat, jti: 'x' },
        ),
        'a jwk WebCrypto cannot import': await key.proof({
          htm,
          htu,
          ...(accessToken ? { accessToken } : {}),
          header: { jwk: { ...key.publicJwk, x: 'a'.repeat(6000) } },
        }),
        'nested JSON': `${b64(nested)}.${b64(nested)}.sig`,
        'jti with NUL': await key.proof({ htm, htu, jti: 'a\0b', ...(accessToken ? { accessToken } : {}) }),
        'a header of 10 kB': `${b64(JSON.stringify({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk, x: 'y'.repeat(7000) }))}.${b64('{}')}.sig`,
      };
    }

    it('garbage DPoP proofs at the token endpoint are invalid_dpop_proof (RFC 9449 §7.1), a jti with NUL too', async () => {
      for (const [label, dpop] of Object.entries(await garbageProofs('POST', `${TEST_ISSUER}/token`))) {
        const res = await tokenPost('grant_type=client_credentials&scope=orders:read', {
          authorization: SERVICE_BASIC,
          dpop,
        });
        assert.equal(res.json().error, 'invalid_dpop_proof', label);
        jsonError(res, 400, 'invalid_dpop_proof');
      }
    });

    it('garbage DPoP proofs with a DPoP-bound token at UserInfo are 401 invalid_dpop_proof with a DPoP challenge', async () => {
      const key = await createDpopKey(t.clock);
      const who = await startSessionFor(t);
      const issued = await tokenPost(new URLSearchParams(codeRequest(await seedCode(t, who))).toString(), {
        authorization: basicAuthorization('web-app', APP_SECRET),
        dpop: await key.proof({ htu: `${TEST_ISSUER}/token` }),
      });
      assert.equal(issued.statusCode, 200, issued.body);
      assert.equal(issued.json().token_type, 'DPoP');
      const accessToken = issued.json().access_token as string;
      const proofs = await garbageProofs('GET', `${TEST_ISSUER}/userinfo`, accessToken);
      for (const [label, dpop] of Object.entries(proofs)) {
        const res = await inject(
          { method: 'GET', url: '/userinfo', headers: { authorization: `DPoP ${accessToken}`, dpop } },
          'json',
        );
        assert.equal(res.statusCode, 401, `${label}: ${res.body}`);
        assert.equal(res.json().error, 'invalid_dpop_proof', label);
        assert.match(String(res.headers['www-authenticate']), /^DPoP error="invalid_dpop_proof"/, label);
      }
    });

    it('UserInfo: a malformed Authorization header is invalid_request; DPoP without a proof for an unknown token is invalid_token', async () => {
      const spaced = await inject(
        { method: 'GET', url: '/userinfo', headers: { authorization: 'Bearer a b c' } },
        'json',
      );
      jsonError(spaced, 400, 'invalid_request');
      const dpop = await inject(
        { method: 'GET', url: '/userinfo', headers: { authorization: 'DPoP abc' } },
        'json',
      );
      jsonError(dpop, 401, 'invalid_token');
      assert.match(String(dpop.headers['www-authenticate']), /^DPoP /);
    });

    it('a sign-in form or a PAR request_uri used after it expired is a 4xx page, never a 500', async () => {
      const browser = new CookieJar();
      const start = await inject({ method: 'GET', url: `/authorize?${authorizeQuery()}` }, 'page');
      browser.take(start);
      const loginUrl = new URL(String(start.headers.location));
      const login = await inject(
        { method: 'GET', url: loginUrl.pathname + loginUrl.search, headers: { cookie: browser.header() } },
        'page',
      );
      browser.take(login);
      const pushed = await t.post('/par', Object.fromEntries(new URLSearchParams(authorizeQuery())), {
        basic: ['web-app', APP_SECRET],
      });
      assert.equal(pushed.statusCode, 201, pushed.body);
      t.clock.advance(3600 * 1000);
      const posted = await inject(
        {
          method: 'POST',
          url: '/login',
          headers: { ...FORM, cookie: browser.header() },
          payload: new URLSearchParams({
            csrf_token: csrfTokenOf(login.body),
            interaction_id: loginUrl.searchParams.get('interaction')!,
            username: 'alice',
            password: 'whatever',
          }).toString(),
        },
        'page',
      );
      errorPage(posted, 403);
      const late = await inject(
        {
          method: 'GET',
          url: `/authorize?client_id=web-app&request_uri=${encodeURIComponent(pushed.json().request_uri)}`,
        },
        'page',
      );
      assert.ok(
        late.statusCode === 303 || (late.statusCode >= 400 && late.statusCode < 500),
        String(late.statusCode),
      );
      if (late.statusCode === 303) {
        assert.match(String(late.headers.location), /error=invalid_request_uri|error=invalid_request/);
      }
    });

    it('a body over limits.body_bytes is 413: JSON for the API, a page for people', async () => {
      const big = `x=${'a'.repeat(100_000)}`;
      jsonError(await tokenPost(big), 413, 'invalid_request');
      const page = await inject({ method: 'POST', url: '/login', headers: FORM, payload: big }, 'page');
      errorPage(page, 413);
    });
  });
}
