import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import type { LightMyRequestResponse } from 'fastify';
import {
  APP_SECRET,
  authorizeQuery,
  browserFlowConfig,
  CookieJar,
  csrfTokenOf,
  PASSWORD,
  REDIRECT,
  VERIFIER,
} from '../testing/browser-flow.js';
import { createDpopKey, type TestDpopKey } from '../testing/dpop-proof.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;
const webApp: [string, string] = ['web-app', APP_SECRET];
const TOKEN_URL = `${TEST_ISSUER}/token`;

function location(res: LightMyRequestResponse): URL {
  assert.equal(res.statusCode, 303, res.body);
  return new URL(String(res.headers.location), TEST_ISSUER);
}

/**
 * RFC 9449 §10 end to end through the pages: the key named at /authorize (dpop_jkt) or by a
 * proof at /par travels with the sign-in and consent into the code, and only a proof by that
 * key redeems it.
 */
describe('DPoP-bound authorization codes through /authorize and /par (RFC 9449 §10)', () => {
  let t: TestIssuer;
  let key: TestDpopKey;
  let other: TestDpopKey;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), browserFlowConfig);
    key = await createDpopKey(t.clock);
    other = await createDpopKey(t.clock);
  });
  after(() => t.close());

  const get = (url: string, jar: CookieJar) =>
    t.issuer.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
  const postForm = (url: string, form: Record<string, string>, jar: CookieJar) =>
    t.post(url, form, { headers: { cookie: jar.header() } });

  /** A person signs in and approves; returns the code from the redirect. */
  async function authorize(query: string): Promise<string> {
    const jar = new CookieJar();
    const start = await get(`/authorize?${query}`, jar);
    jar.take(start);
    const loginUrl = location(start);
    const page = await get(`${loginUrl.pathname}${loginUrl.search}`, jar);
    jar.take(page);
    const login = await postForm(
      '/login',
      {
        csrf_token: csrfTokenOf(page.body),
        interaction_id: loginUrl.searchParams.get('interaction')!,
        username: 'alice',
        password: PASSWORD,
      },
      jar,
    );
    jar.take(login);
    const resume = location(login);
    const next = await get(`${resume.pathname}${resume.search}`, jar);
    jar.take(next);
    const consentUrl = location(next);
    const consent = await get(`${consentUrl.pathname}${consentUrl.search}`, jar);
    const approved = await postForm(
      '/consent',
      {
        csrf_token: csrfTokenOf(consent.body),
        interaction_id: consentUrl.searchParams.get('interaction')!,
        decision: 'approve',
      },
      jar,
    );
    const callback = location(approved);
    assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT);
    return callback.searchParams.get('code')!;
  }

  const redeem = async (code: string, signer?: TestDpopKey) =>
    t.post(
      '/token',
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER },
      { basic: webApp, ...(signer ? { headers: { dpop: await signer.proof({ htu: TOKEN_URL }) } } : {}) },
    );

  it('binds the code to dpop_jkt from /authorize: its key redeems it, another key cannot', async () => {
    const code = await authorize(authorizeQuery({ dpop_jkt: key.jkt }));
    const res = await redeem(code, key);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().token_type, 'DPoP');

    const stolen = await authorize(authorizeQuery({ dpop_jkt: key.jkt }));
    const refused = await redeem(stolen, other);
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().error, 'invalid_grant');
  });

  it('binds the code to the key of a proof sent to /par', async () => {
    const pushed = await t.post('/par', Object.fromEntries(new URLSearchParams(authorizeQuery())), {
      basic: webApp,
      headers: { dpop: await key.proof({ htu: `${TEST_ISSUER}/par` }) },
    });
    assert.equal(pushed.statusCode, 201, pushed.body);
    const query = new URLSearchParams({ client_id: 'web-app', request_uri: pushed.json().request_uri });
    const code = await authorize(query.toString());
    const unproved = await redeem(code);
    assert.equal(unproved.json().error, 'invalid_dpop_proof');
  });

  it('leaves a code without dpop_jkt redeemable with or without a proof', async () => {
    const bearer = await redeem(await authorize(authorizeQuery()));
    assert.equal(bearer.json().token_type, 'Bearer');
    const bound = await redeem(await authorize(authorizeQuery()), other);
    assert.equal(bound.json().token_type, 'DPoP');
  });
});
