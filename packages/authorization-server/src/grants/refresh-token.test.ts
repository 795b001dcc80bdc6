import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { epochSeconds } from '@gatehouse/core';
import { storeBackends } from '@gatehouse/store/testing';
import { decodeJwt } from 'jose';
import { endSession } from '../sessions/session-service.js';
import {
  APP_SECRET,
  codeFlowConfig,
  codeRequest,
  type SignedIn,
  seedCode,
  signIn,
  webApp,
} from '../testing/code-grant.js';
import { startTestIssuer, type TestIssuer } from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;
const INVALID_REFRESH = 'the refresh token is invalid, expired or revoked';

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
  scope: string;
}

describe('grant_type=refresh_token', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), codeFlowConfig);
  });
  after(() => t.close());

  const post = (form: Record<string, string>, basic: [string, string] | null = webApp) =>
    t.post('/token', form, basic ? { basic } : {});
  const refresh = (
    token: string,
    extra: Record<string, string> = {},
    basic: [string, string] | null = webApp,
  ) => post({ grant_type: 'refresh_token', refresh_token: token, ...extra }, basic);
  const isActive = async (token: string) =>
    (await t.post('/introspect', { token }, { basic: webApp })).json().active as boolean;
  const assertError = (res: { statusCode: number; json(): unknown }, error: string, description: string) => {
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { error, error_description: description });
  };
  async function start(scope = 'openid profile ledger:read'): Promise<{ who: SignedIn; tokens: Tokens }> {
    const who = await signIn(t);
    const res = await post(codeRequest(await seedCode(t, who, { scope })));
    assert.equal(res.statusCode, 200, res.body);
    return { who, tokens: res.json() };
  }

  it('rotates the refresh token on every use and issues a fresh ID token', async () => {
    const { who, tokens } = await start();
    const res = await refresh(tokens.refresh_token);
    assert.equal(res.statusCode, 200);
    const next: Tokens = res.json();
    assert.match(next.refresh_token, /^gh_rt_/);
    assert.notEqual(next.refresh_token, tokens.refresh_token);
    assert.notEqual(next.access_token, tokens.access_token);
    assert.equal(next.scope, 'openid profile ledger:read');
    const claims = decodeJwt(next.id_token!);
    assert.equal(claims.sub, who.user.id);
    assert.equal(claims['auth_time'], who.session.authTime);
    assert.equal(claims['sid'], who.session.sid);
    assert.equal(claims['nonce'], undefined);
    assert.equal((await refresh(next.refresh_token)).statusCode, 200);
  });

  it('revokes the whole family when a rotated token is reused', async () => {
    const { tokens } = await start();
    const next: Tokens = (await refresh(tokens.refresh_token)).json();
    assertError(await refresh(tokens.refresh_token), 'invalid_grant', INVALID_REFRESH);
    assert.equal(await isActive(next.refresh_token), false);
    assert.equal(await isActive(next.access_token), false);
    assert.equal(await isActive(tokens.access_token), false);
    assertError(await refresh(next.refresh_token), 'invalid_grant', INVALID_REFRESH);
  });

  it('narrows the scope on request, keeping the refresh token’s own', async () => {
    const { tokens } = await start();
    const narrowed: Tokens = (await refresh(tokens.refresh_token, { scope: 'ledger:read' })).json();
    assert.equal(narrowed.scope, 'ledger:read');
    assert.equal(narrowed.id_token, undefined);
    const again: Tokens = (await refresh(narrowed.refresh_token)).json();
    assert.equal(again.scope, 'openid profile ledger:read');
  });

  it('refuses a scope not originally granted', async () => {
    const { tokens } = await start();
    assertError(
      await refresh(tokens.refresh_token, { scope: 'ledger:read email' }),
      'invalid_scope',
      'scope not originally granted: email',
    );
    assert.equal((await refresh(tokens.refresh_token)).statusCode, 200);
  });

  it('refuses a token of a session that has ended', async () => {
    const { who, tokens } = await start();
    await endSession(t.issuer.context, who.session.id, 'logout');
    assertError(await refresh(tokens.refresh_token), 'invalid_grant', INVALID_REFRESH);
  });

  it('refuses a token of a session that timed out, though nobody ended it', async () => {
    const { tokens } = await start();
    t.clock.advance(t.issuer.context.config.sessions.idle_timeout + 1);
    assertError(await refresh(tokens.refresh_token), 'invalid_grant', INVALID_REFRESH);
  });

  it('keeps an offline_access token valid after logout, without sid', async () => {
    const { who, tokens } = await start('openid offline_access ledger:read');
    await endSession(t.issuer.context, who.session.id, 'logout');
    const res = await refresh(tokens.refresh_token);
    assert.equal(res.statusCode, 200);
    assert.equal(decodeJwt(res.json().id_token)['sid'], undefined);
  });

  it('refuses a refresh token unused past its idle lifetime', async () => {
    const { tokens } = await start('offline_access ledger:read');
    t.clock.advance(t.issuer.context.config.tokens.refresh_token_idle_lifetime + 1);
    assertError(await refresh(tokens.refresh_token), 'invalid_grant', INVALID_REFRESH);
  });

  it('refuses a refresh token issued to another client', async () => {
    const who = await signIn(t);
    const code = await seedCode(t, who, { clientId: 'spa', scope: 'ledger:read' });
    const spa: Tokens = (await post(codeRequest(code, { client_id: 'spa' }), null)).json();
    assertError(await refresh(spa.refresh_token), 'invalid_grant', INVALID_REFRESH);
    const own = await refresh(spa.refresh_token, { client_id: 'spa' }, null);
    assert.equal(own.statusCode, 200);
  });

  it('refuses an unknown refresh token and an access token', async () => {
    assertError(await refresh('gh_rt_unknown'), 'invalid_grant', INVALID_REFRESH);
    const { tokens } = await start();
    assertError(await refresh(tokens.access_token), 'invalid_grant', INVALID_REFRESH);
  });

  it('is unauthorized for a client not registered for refresh_token', async () => {
    const res = await refresh('gh_rt_x', {}, ['no-refresh', APP_SECRET]);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'unauthorized_client');
  });

  it('deny-lists every JWT access token of the family when a rotated token is reused', async () => {
    const { tokens } = await start('openid orders:read');
    assert.equal(tokens.access_token.split('.').length, 3, 'orders:read is a JWT API');
    const next: Tokens = (await refresh(tokens.refresh_token)).json();
    assert.equal(await isActive(next.access_token), true);
    assertError(await refresh(tokens.refresh_token), 'invalid_grant', INVALID_REFRESH);
    assert.equal(await isActive(tokens.access_token), false);
    assert.equal(await isActive(next.access_token), false);
    assert.equal(await isActive(next.refresh_token), false);
  });

  describe('with the consent grant revoked', () => {
    async function startUnderGrant(): Promise<{ grantId: string; tokens: Tokens }> {
      const who = await signIn(t);
      const now = epochSeconds(t.clock);
      const grant = await t.issuer.context.store.grants.upsert({
        id: `grant-${randomUUID()}`,
        userId: who.user.id,
        clientId: 'web-app',
        scopes: ['openid', 'orders:read'],
        resources: [],
        createdAt: now,
        updatedAt: now,
        revokedAt: null,
      });
      const code = await seedCode(t, who, { scope: 'openid orders:read', grantId: grant.id });
      const res = await post(codeRequest(code));
      assert.equal(res.statusCode, 200, res.body);
      return { grantId: grant.id, tokens: res.json() };
    }

    it('refuses the refresh token once the grant is revoked, even if its row was missed', async () => {
      const { grantId, tokens } = await startUnderGrant();
      const res = await refresh(tokens.refresh_token);
      assert.equal(res.statusCode, 200, 'live grant: refreshes');
      // Only the grant row: what a revocation racing the token's issue leaves behind.
      await t.issuer.context.store.grants.revoke(grantId, epochSeconds(t.clock));
      assertError(await refresh(res.json().refresh_token), 'invalid_grant', INVALID_REFRESH);
    });

    it('refuses the refresh token and ends the JWT access token when the grant is revoked in full', async () => {
      const { grantId, tokens } = await startUnderGrant();
      const now = epochSeconds(t.clock);
      await t.issuer.context.store.grants.revoke(grantId, now);
      await t.issuer.context.store.tokens.revokeByGrant(grantId, now);
      assertError(await refresh(tokens.refresh_token), 'invalid_grant', INVALID_REFRESH);
      assert.equal(await isActive(tokens.access_token), false);
    });
  });
});

describe('refresh-token and ID-token lifetimes from tokens.*', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), {
      ...codeFlowConfig,
      tokens: {
        id_token_lifetime: 60,
        refresh_token_idle_lifetime: 100,
        refresh_token_absolute_lifetime: 250,
      },
    });
  });
  after(() => t.close());

  const refresh = (token: string) =>
    t.post('/token', { grant_type: 'refresh_token', refresh_token: token }, { basic: webApp });

  it('signs ID tokens for id_token_lifetime seconds', async () => {
    const who = await signIn(t);
    const res = await t.post('/token', codeRequest(await seedCode(t, who, { scope: 'openid' })), {
      basic: webApp,
    });
    const claims = decodeJwt(res.json().id_token);
    assert.equal(claims.exp! - claims.iat!, 60);
  });

  it('keeps a used family alive past the idle lifetime, never past the absolute one', async () => {
    const who = await signIn(t);
    const first = await t.post(
      '/token',
      codeRequest(await seedCode(t, who, { scope: 'offline_access ledger:read' })),
      { basic: webApp },
    );
    assert.equal(first.statusCode, 200, first.body);
    let token: string = first.json().refresh_token;
    // Used every 90 s: each rotation restarts the 100 s idle lifetime...
    for (const round of [1, 2]) {
      t.clock.advance(90);
      const res = await refresh(token);
      assert.equal(res.statusCode, 200, `refresh ${round}: ${res.body}`);
      token = res.json().refresh_token;
    }
    // ...but 270 s after the grant the 250 s absolute lifetime has ended the family.
    t.clock.advance(90);
    const late = await refresh(token);
    assert.equal(late.statusCode, 400);
    assert.equal(late.json().error, 'invalid_grant');
  });
});
