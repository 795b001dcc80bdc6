import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { SERVICE_SECRET, startTestIssuer, type TestIssuer } from '../testing/harness.js';
import { deleteExpiredRows } from './expired-rows.js';

describe('deleteExpiredRows', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await storeBackends()[0]!.open());
  });
  after(() => t.close());

  it('deletes opaque tokens once they have expired and keeps live ones', async () => {
    const issue = () =>
      t.post(
        '/token',
        { grant_type: 'client_credentials', scope: 'ledger:read' },
        { basic: ['service', SERVICE_SECRET] },
      );
    await issue();
    t.clock.advance(121);
    const live = (await issue()).json().access_token as string;
    const now = Math.floor(t.clock() / 1000);
    await t.issuer.context.store.loginAttempts.recordFailure('account:someone', now - 10, now - 1);
    const deleted = await deleteExpiredRows(t.issuer.context.store, now);
    assert.equal(deleted, 2, 'the expired token and the expired login-attempt counter');
    const res = await t.post('/introspect', { token: live }, { basic: ['service', SERVICE_SECRET] });
    assert.equal(res.json().active, true);
  });
});
