import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { epochSeconds, isOAuthError } from '@gatehouse/core';
import type { TokenRecord } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { codeFlowConfig } from '../testing/code-grant.js';
import { startTestIssuer, type TestIssuer } from '../testing/harness.js';
import { assertGrantLive } from './token-set.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

describe('assertGrantLive', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), codeFlowConfig);
  });
  after(() => t.close());

  const grant = async (id: string) => {
    const now = epochSeconds(t.clock);
    await t.issuer.context.store.grants.upsert({
      id,
      userId: `user-${id}`,
      clientId: 'web-app',
      scopes: ['openid'],
      resources: [],
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
    });
  };
  const token = (digest: string, familyId: string): TokenRecord => ({
    digest,
    kind: 'access_token',
    format: 'jwt',
    jti: `jti-${digest}`,
    clientId: 'web-app',
    subject: 'u',
    scope: 'openid',
    audience: [],
    issuedAt: epochSeconds(t.clock),
    expiresAt: epochSeconds(t.clock) + 300,
    revokedAt: null,
    confirmation: null,
    extra: {},
    familyId,
  });
  const rejectsInvalidGrant = (promise: Promise<void>) =>
    assert.rejects(promise, (error) => {
      assert.ok(isOAuthError(error));
      assert.equal(error.code, 'invalid_grant');
      assert.equal(error.description, 'nope');
      return true;
    });

  it('passes a live grant, and a token bound to no grant', async () => {
    await grant('g-live');
    await assertGrantLive(t.issuer.context, 'g-live', 'nope');
    await assertGrantLive(t.issuer.context, null, 'nope');
  });

  it('refuses a revoked or unknown grant with invalid_grant', async () => {
    await grant('g-revoked');
    await t.issuer.context.store.grants.revoke('g-revoked', epochSeconds(t.clock));
    await rejectsInvalidGrant(assertGrantLive(t.issuer.context, 'g-revoked', 'nope'));
    await rejectsInvalidGrant(assertGrantLive(t.issuer.context, 'g-unknown', 'nope'));
  });

  it('revokes the new family when the grant was revoked while it was being issued', async () => {
    await grant('g-race');
    await t.issuer.context.store.tokens.insert(token('fresh', 'fam-race'));
    await t.issuer.context.store.grants.revoke('g-race', epochSeconds(t.clock));
    await rejectsInvalidGrant(assertGrantLive(t.issuer.context, 'g-race', 'nope', 'fam-race'));
    assert.notEqual((await t.issuer.context.store.tokens.findByDigest('fresh'))?.revokedAt, null);
    assert.equal(await t.issuer.context.store.revokedJwts.has('jti-fresh'), true);
  });
});
