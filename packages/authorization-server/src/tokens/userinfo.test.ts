import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OAuthError } from '@gatehouse/core';
import type { UserRecord } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { startTestIssuer, type TestIssuer } from '../testing/harness.js';
import { issueAccessToken } from './access-token.js';
import { opaqueTokenDigest } from './opaque-token.js';
import { userinfoResponse, verifyUserinfoAccessToken } from './userinfo.js';

const user: UserRecord = {
  id: 'u-7f3a',
  username: 'alice',
  email: 'alice@example.test',
  emailVerified: false,
  name: null,
  roles: [],
  groups: ['staff'],
  status: 'active',
  passwordHash: null,
  source: 'admin',
  createdAt: 1_700_000_000,
  updatedAt: 1_700_000_500,
};

describe('userinfoResponse (OIDC Core §5.3.2)', () => {
  it('returns sub and the claims of the scopes, omitting those without values', () => {
    assert.deepEqual(userinfoResponse(user, ['openid', 'profile', 'email', 'roles']), {
      sub: 'u-7f3a',
      preferred_username: 'alice',
      updated_at: 1_700_000_500,
      email: 'alice@example.test',
      email_verified: false,
      groups: ['staff'],
    });
  });

  it('returns only sub for openid alone', () => {
    assert.deepEqual(userinfoResponse(user, ['openid']), { sub: 'u-7f3a' });
  });
});

describe('verifyUserinfoAccessToken', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await storeBackends()[0]!.open());
  });
  after(() => t.close());

  const issue = async (scope: string[], resource = 'https://api.test') =>
    (
      await issueAccessToken(t.issuer.context, {
        clientId: 'web-app',
        subject: 'u-7f3a',
        scope,
        resource: t.issuer.context.resources.find(resource)!,
      })
    ).token;

  const rejects = async (token: string, code: string, description: string) => {
    await assert.rejects(verifyUserinfoAccessToken(t.issuer.context, token), (error: unknown) => {
      assert.ok(error instanceof OAuthError);
      assert.equal(error.code, code);
      assert.equal(error.description, description);
      return true;
    });
  };

  for (const resource of ['https://api.test', 'https://opaque.test']) {
    it(`accepts a live ${resource === 'https://api.test' ? 'JWT' : 'opaque'} token with openid`, async () => {
      const token = await issue(['openid', 'email'], resource);
      assert.deepEqual(await verifyUserinfoAccessToken(t.issuer.context, token), {
        subject: 'u-7f3a',
        scopes: ['openid', 'email'],
        clientId: 'web-app',
        confirmation: null,
      });
    });
  }

  it('rejects a token without the openid scope with insufficient_scope (403)', async () => {
    await rejects(
      await issue(['orders:read']),
      'insufficient_scope',
      'the access token was not issued with the openid scope',
    );
  });

  it('rejects an expired token with invalid_token (401)', async () => {
    const token = await issue(['openid']);
    t.clock.advance(3600);
    await rejects(token, 'invalid_token', 'the access token is not valid');
  });

  it('rejects a revoked JWT with invalid_token', async () => {
    const token = await issue(['openid']);
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
    await t.issuer.context.store.revokedJwts.add(jti, Number.MAX_SAFE_INTEGER);
    await rejects(token, 'invalid_token', 'the access token is not valid');
  });

  it('rejects a refresh token with invalid_token', async () => {
    const ctx = t.issuer.context;
    const token = 'gh_rt_refresh-token-for-userinfo-0123456789abcdef';
    const now = Math.floor(t.clock() / 1000);
    await ctx.store.tokens.insert({
      digest: opaqueTokenDigest(ctx, token),
      kind: 'refresh_token',
      jti: 'rt-1',
      clientId: 'web-app',
      subject: 'u-7f3a',
      scope: 'openid',
      audience: ['https://opaque.test'],
      issuedAt: now,
      expiresAt: now + 3600,
      revokedAt: null,
      confirmation: null,
      extra: {},
    });
    await rejects(token, 'invalid_token', 'the access token is not valid');
  });

  it('rejects garbage with invalid_token', async () => {
    await rejects('not-a-token', 'invalid_token', 'the access token is not valid');
    await rejects('a.b.c', 'invalid_token', 'the access token is not valid');
  });
});
