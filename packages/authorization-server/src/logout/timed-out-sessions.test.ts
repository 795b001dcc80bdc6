import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { startTestIssuer, type TestIssuer } from '../testing/harness.js';
import { captureDeliveries, logoutClients, logoutUsers, signInBrowser, signInToClient } from './testing.js';
import { endTimedOutSessions } from './timed-out-sessions.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

describe('ending timed-out sessions nobody comes back to', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open(), { clients: logoutClients(), users: logoutUsers });
  });
  after(() => t.close());

  it('ends each with its timeout as the reason, tells its clients once, and leaves live ones alone', async () => {
    const ctx = t.issuer.context;
    const deliveries = captureDeliveries(t);
    const { idle_timeout, absolute_timeout } = ctx.config.sessions;
    const idle = await signInBrowser(t);
    await signInToClient(t, idle, 'web-app');
    // Kept in use past its absolute lifetime: each touch moves its idle expiry, never the absolute one.
    const busy = await signInBrowser(t, 'bob');
    await signInToClient(t, busy, 'notes');
    const step = idle_timeout - 60;
    for (let elapsed = 0; elapsed + step < absolute_timeout; elapsed += step) {
      t.clock.advance(step);
      const idleExpiresAt = Math.min(
        Math.floor(t.clock() / 1000) + idle_timeout,
        busy.session.absoluteExpiresAt,
      );
      await ctx.store.sessions.touch(busy.session.id, Math.floor(t.clock() / 1000), idleExpiresAt);
    }
    t.clock.advance(step);
    const fresh = await signInBrowser(t);
    await signInToClient(t, fresh, 'web-app');

    assert.equal(await endTimedOutSessions(ctx), 2);
    assert.equal((await ctx.store.sessions.findById(idle.session.id))?.endReason, 'idle_timeout');
    assert.equal((await ctx.store.sessions.findById(busy.session.id))?.endReason, 'absolute_timeout');
    assert.equal((await ctx.store.sessions.findById(fresh.session.id))?.endedAt, null);

    assert.equal(await endTimedOutSessions(ctx), 0);
    await ctx.backchannelLogout.idle();
    assert.deepEqual(deliveries.map((d) => d.clientId).sort(), ['notes', 'web-app']);
  });
});
