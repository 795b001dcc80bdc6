import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '@gatehouse/core';
import { createInteraction, interactionCookies } from '../interaction/interaction-cookie.js';
import { deriveKeys } from '../keys/master-key.js';
import {
  createPendingLogout,
  openPendingLogout,
  PENDING_LOGOUT_LIFETIME,
  sealPendingLogout,
} from './pending-logout.js';

function context() {
  return {
    secrets: deriveKeys(new Uint8Array(32).fill(7)),
    clock: createManualClock(Date.UTC(2026, 0, 1)),
    config: { issuer: 'https://issuer.test' },
  } as Parameters<typeof sealPendingLogout>[0] & { clock: ReturnType<typeof createManualClock> };
}

describe('the pending logout carried by the confirmation form', () => {
  const pending = createPendingLogout({
    clientId: 'web-app',
    postLogoutRedirectUri: 'https://app.test/bye',
    state: 's',
    lang: 'en',
  });

  it('opens to what was sealed, and each one is unique', async () => {
    const ctx = context();
    const sealed = await sealPendingLogout(ctx, pending);
    assert.deepEqual(await openPendingLogout(ctx, sealed), pending);
    assert.notEqual(createPendingLogout({}).id, createPendingLogout({}).id);
    assert.doesNotMatch(sealed, /app\.test/, 'the redirect target cannot be read from the page');
  });

  it('does not open once altered, expired, sealed under another master key, or absent', async () => {
    const ctx = context();
    const sealed = await sealPendingLogout(ctx, pending);
    const parts = sealed.split('.');
    const flipped = parts[3]!.startsWith('A') ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`;
    assert.equal(
      await openPendingLogout(ctx, [...parts.slice(0, 3), flipped, parts[4]].join('.')),
      undefined,
    );
    const other = { ...ctx, secrets: deriveKeys(new Uint8Array(32).fill(8)) };
    assert.equal(await openPendingLogout(other, sealed), undefined);
    assert.equal(await openPendingLogout(ctx, undefined), undefined);
    assert.equal(await openPendingLogout(ctx, 'garbage'), undefined);
    ctx.clock.advance(PENDING_LOGOUT_LIFETIME + 1);
    assert.equal(await openPendingLogout(ctx, sealed), undefined);
  });

  it('is not opened from an interaction cookie, sealed under a sibling key', async () => {
    const ctx = context();
    const [cookie] = await interactionCookies(ctx, createInteraction(ctx, {}, false), undefined);
    assert.equal(await openPendingLogout(ctx, cookie!.value), undefined);
  });
});
