import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createManualClock, createSilentLogger, epochSeconds } from '@gatehouse/core';
import type { Store } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { scheduleLoginAttemptCleanup } from './login-attempt-cleanup.js';

describe('scheduleLoginAttemptCleanup', () => {
  let store: Store;
  beforeEach(async () => {
    store = await storeBackends()[0]!.open();
    mock.timers.enable({ apis: ['setInterval'] });
  });
  afterEach(async () => {
    mock.timers.reset();
    await store.close();
  });

  it('deletes expired counters every interval, keeps live ones, and stops when asked', async () => {
    const clock = createManualClock();
    const now = epochSeconds(clock);
    await store.loginAttempts.recordFailure('account:old', now - 100, now - 1);
    await store.loginAttempts.recordFailure('account:live', now, now + 3600);
    const stop = scheduleLoginAttemptCleanup(store, clock, createSilentLogger(), 600);
    const deleted: number[] = [];
    const original = store.loginAttempts.deleteExpired;
    store.loginAttempts.deleteExpired = async (before) => {
      const count = await original(before);
      deleted.push(count);
      return count;
    };

    mock.timers.tick(599_000);
    assert.deepEqual(deleted, []);
    mock.timers.tick(1000);
    await waitFor(() => deleted.length === 1);
    assert.deepEqual(deleted, [1]);
    assert.equal((await store.loginAttempts.find('account:live', now))?.failures, 1);

    stop();
    mock.timers.tick(600_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(deleted, [1]);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'the cleanup did not run');
}
