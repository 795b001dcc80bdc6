import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '@gatehouse/store';
import Database from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { authorizeQuery, CookieJar, csrfTokenOf, PASSWORD } from '../../src/testing/browser-flow.js';
import { codeRequest, seedCode, signIn as startSessionFor } from '../../src/testing/code-grant.js';
import { startDevice } from '../../src/testing/device-flow.js';
import { createDpopKey } from '../../src/testing/dpop-proof.js';
import { SERVICE_SECRET, startTestIssuer, TEST_ISSUER, type TestIssuer } from '../../src/testing/harness.js';
import { APP_SECRET, signIn, sweepConfig } from './sweep-issuer.js';

/**
 * A request refused after it got somewhere (past client authentication, a CSRF check, a
 * session) leaves the store as it was: the rows of every table are counted before and after.
 */

const TABLES = [
  'tokens',
  'revoked_jwts',
  'sessions',
  'session_clients',
  'grants',
  'authorization_codes',
  'pushed_requests',
  'device_authorizations',
] as const;

describe('robustness: a refused request writes nothing (sqlite)', () => {
  let t: TestIssuer;
  let dir: string;
  let reader: Database.Database;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-half-written-'));
    const file = join(dir, 'gatehouse.db');
    const store = await openStore({ kind: 'sqlite', file });
    await store.migrate();
    t = await startTestIssuer(store, sweepConfig);
    reader = new Database(file, { readonly: true, fileMustExist: true });
  });
  after(async () => {
    reader.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const counts = () =>
    Object.fromEntries(
      TABLES.map((table) => [
        table,
        (reader.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
      ]),
    );

  /** Runs `request`, which must be refused with `status` and `error`, and checks no row changed. */
  async function refusedWithoutWrites(
    label: string,
    request: () => Promise<LightMyRequestResponse>,
    status: number,
    error?: string,
  ): Promise<void> {
    const before = counts();
    const res = await request();
    assert.equal(res.statusCode, status, `${label}: ${res.body.slice(0, 300)}`);
    if (error) assert.equal(res.json().error, error, label);
    assert.deepEqual(counts(), before, `${label}: rows changed`);
  }

  const service: [string, string] = ['service', SERVICE_SECRET];
  const webApp: [string, string] = ['web-app', APP_SECRET];

  it('the token endpoint, after client authentication', async () => {
    // The control: a good request does write, so the counts can see a write.
    const before = counts();
    await t.issueToken({ scope: 'ledger:read', resource: 'https://opaque.test' });
    assert.equal(counts()['tokens'], before['tokens']! + 1);

    await refusedWithoutWrites(
      'client_credentials, a scope the client lacks',
      () => t.post('/token', { grant_type: 'client_credentials', scope: 'admin' }, { basic: service }),
      400,
      'invalid_scope',
    );
    await refusedWithoutWrites(
      'client_credentials, an unknown resource',
      () =>
        t.post(
          '/token',
          { grant_type: 'client_credentials', resource: 'https://nowhere.test' },
          { basic: service },
        ),
      400,
      'invalid_target',
    );
    const key = await createDpopKey(t.clock);
    await refusedWithoutWrites(
      'client_credentials, a DPoP proof for another URL',
      async () =>
        t.post(
          '/token',
          { grant_type: 'client_credentials', scope: 'orders:read' },
          { basic: service, headers: { dpop: await key.proof({ htu: `${TEST_ISSUER}/elsewhere` }) } },
        ),
      400,
      'invalid_dpop_proof',
    );

    const who = await startSessionFor(t);
    const codeForVerifier = await seedCode(t, who);
    await refusedWithoutWrites(
      'authorization_code, a wrong code_verifier',
      () =>
        t.post('/token', codeRequest(codeForVerifier, { code_verifier: 'x'.repeat(43) }), { basic: webApp }),
      400,
      'invalid_grant',
    );
    const codeForRedirect = await seedCode(t, who);
    await refusedWithoutWrites(
      'authorization_code, another redirect_uri',
      () =>
        t.post('/token', codeRequest(codeForRedirect, { redirect_uri: 'https://app.test/other' }), {
          basic: webApp,
        }),
      400,
      'invalid_grant',
    );

    const issued = await t.post(
      '/token',
      codeRequest(await seedCode(t, who, { scope: 'openid offline_access' })),
      {
        basic: webApp,
      },
    );
    assert.equal(issued.statusCode, 200, issued.body);
    const refreshToken = issued.json().refresh_token as string;
    await refusedWithoutWrites(
      'refresh_token, a scope beyond the grant',
      () =>
        t.post(
          '/token',
          { grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'openid email' },
          {
            basic: webApp,
          },
        ),
      400,
      'invalid_scope',
    );
    // Not spent by the refusal: it still refreshes.
    const refreshed = await t.post(
      '/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { basic: webApp },
    );
    assert.equal(refreshed.statusCode, 200, refreshed.body);

    const device = await startDevice(t, { client_id: 'cli', scope: 'openid orders:read' });
    await refusedWithoutWrites(
      'device_code, not yet approved',
      () =>
        t.post('/token', {
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          device_code: device.device_code,
          client_id: 'cli',
        }),
      400,
      'authorization_pending',
    );
  });

  it('PAR and device authorization', async () => {
    await refusedWithoutWrites(
      'par, an unregistered redirect_uri',
      () =>
        t.post(
          '/par',
          Object.fromEntries(new URLSearchParams(authorizeQuery({ redirect_uri: 'https://evil.test/' }))),
          {
            basic: webApp,
          },
        ),
      400,
      'invalid_request',
    );
    await refusedWithoutWrites(
      'device_authorization, a client not registered for the device grant',
      () => t.post('/device_authorization', { client_id: 'web-app', scope: 'openid' }, { basic: webApp }),
      400,
      'unauthorized_client',
    );
  });

  it('the pages: a wrong password, a consent or account form without its CSRF token', async () => {
    const jar = new CookieJar();
    const get = async (url: string) => {
      const res = await t.issuer.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });
      jar.take(res);
      return res;
    };
    const post = (url: string, form: Record<string, string>) =>
      t.post(url, form, { headers: { cookie: jar.header() } });
    const start = await get(`/authorize?${authorizeQuery()}`);
    const loginUrl = new URL(String(start.headers.location));
    const login = await get(loginUrl.pathname + loginUrl.search);
    const signInForm = {
      csrf_token: csrfTokenOf(login.body),
      interaction_id: loginUrl.searchParams.get('interaction')!,
      username: 'alice',
    };
    await refusedWithoutWrites(
      'login, a wrong password',
      () => post('/login', { ...signInForm, password: 'wrong' }),
      400,
    );
    assert.notEqual(PASSWORD, 'wrong');

    const signedIn = await signIn(t.issuer.app);
    const consentStart = await t.issuer.app.inject({
      method: 'GET',
      url: `/authorize?${authorizeQuery({ prompt: 'consent' })}`,
      headers: { cookie: signedIn.header() },
    });
    signedIn.take(consentStart);
    const consentUrl = new URL(String(consentStart.headers.location));
    assert.equal(consentUrl.pathname, '/consent');
    await refusedWithoutWrites(
      'consent, no CSRF token',
      () =>
        t.post(
          '/consent',
          { interaction_id: consentUrl.searchParams.get('interaction')!, decision: 'approve' },
          { headers: { cookie: signedIn.header() } },
        ),
      403,
    );
    await refusedWithoutWrites(
      'account, ending a session without a CSRF token',
      () => t.post('/account/sessions/end', { session_id: 'x' }, { headers: { cookie: signedIn.header() } }),
      403,
    );
  });
});
