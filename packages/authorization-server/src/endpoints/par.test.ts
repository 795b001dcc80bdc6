import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { APP_SECRET, authorizeQuery, browserFlowConfig, REDIRECT } from '../testing/browser-flow.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const webApp: [string, string] = ['web-app', APP_SECRET];
const parOnly: [string, string] = ['par-only', APP_SECRET];

for (const backend of storeBackends()) {
  describe(`POST /par (RFC 9126) (${backend.name})`, { skip: backend.skipReason }, () => {
    let t: TestIssuer;
    before(async () => {
      t = await startTestIssuer(await backend.open(), browserFlowConfig);
    });
    after(() => t.close());

    const request = (extra: Record<string, string> = {}) =>
      Object.fromEntries(new URLSearchParams(authorizeQuery(extra)));
    const get = (url: string) => t.issuer.app.inject({ method: 'GET', url });

    it('answers 201 with a one-time request_uri that /authorize resolves', async () => {
      const res = await t.post('/par', request({ prompt: 'none' }), { basic: webApp });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const { request_uri, expires_in } = res.json();
      assert.match(request_uri, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
      assert.equal(expires_in, 60);

      const url = `/authorize?${new URLSearchParams({ client_id: 'web-app', request_uri })}`;
      const first = await get(url);
      assert.equal(first.statusCode, 303);
      const callback = new URL(String(first.headers.location));
      assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT);
      assert.equal(callback.searchParams.get('error'), 'login_required', 'the pushed prompt=none was used');
      assert.equal(callback.searchParams.get('iss'), TEST_ISSUER);

      const second = await get(url);
      assert.equal(second.statusCode, 400, 'used once');
      assert.equal(second.headers.location, undefined);
      assert.match(second.body, /This page has expired/);
    });

    it('refuses a request_uri from another client', async () => {
      const { request_uri } = (await t.post('/par', request(), { basic: webApp })).json();
      const res = await get(`/authorize?${new URLSearchParams({ client_id: 'par-only', request_uri })}`);
      assert.equal(res.statusCode, 400);
      assert.equal(res.headers.location, undefined);
    });

    it('authenticates the client: invalid_client with 401', async () => {
      const res = await t.post('/par', request(), {
        basic: ['web-app', 'wrong-secret-0123456789abcdefghijklmn'],
      });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error, 'invalid_client');
    });

    it('validates the request as /authorize would, answering JSON errors', async () => {
      const badRedirect = await t.post('/par', request({ redirect_uri: 'https://evil.test/cb' }), {
        basic: webApp,
      });
      assert.equal(badRedirect.statusCode, 400);
      assert.equal(badRedirect.json().error, 'invalid_request');
      const noPkce = await t.post('/par', { ...request(), code_challenge: '' }, { basic: webApp });
      assert.equal(noPkce.statusCode, 400);
      assert.equal(noPkce.json().error, 'invalid_request');
      const type = await t.post('/par', request({ response_type: 'token' }), { basic: webApp });
      assert.equal(type.json().error, 'unsupported_response_type');
      const nested = await t.post('/par', request({ request_uri: 'urn:x' }), { basic: webApp });
      assert.equal(nested.json().error, 'invalid_request');
      const other = await t.post('/par', request({ client_id: 'par-only' }), { basic: webApp });
      assert.equal(other.json().error, 'invalid_request');
    });

    it('enforces require_pushed_authorization_requests at /authorize, and accepts the pushed request', async () => {
      const direct = await get(`/authorize?${authorizeQuery({ client_id: 'par-only' })}`);
      const error = new URL(String(direct.headers.location));
      assert.equal(error.searchParams.get('error'), 'invalid_request');
      assert.equal(error.searchParams.get('iss'), TEST_ISSUER);

      const { request_uri } = (
        await t.post('/par', request({ client_id: 'par-only' }), { basic: parOnly })
      ).json();
      const res = await get(`/authorize?${new URLSearchParams({ client_id: 'par-only', request_uri })}`);
      assert.equal(res.statusCode, 303);
      assert.equal(new URL(String(res.headers.location)).pathname, '/login');
    });
  });
}
