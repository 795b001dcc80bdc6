import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { normalizeUserCode, userCodeDigest } from '../device/user-code.js';
import { SERVICE_SECRET, startTestIssuer, type TestIssuer, testConfigDocument } from '../testing/harness.js';
import { deleteExpiredRows } from './expired-rows.js';

describe('deleteExpiredRows', () => {
  let t: TestIssuer;
  before(async () => {
    const { clients } = testConfigDocument() as { clients: unknown[] };
    t = await startTestIssuer(await storeBackends()[0]!.open(), {
      clients: [
        ...clients,
        {
          client_id: 'device-cli',
          token_endpoint_auth_method: 'none',
          grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
        },
      ],
    });
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

  it('deletes device authorizations once they have expired, whatever their state', async () => {
    const start = () => t.post('/device_authorization', { client_id: 'device-cli' });
    const expired = (await start()).json().user_code as string;
    t.clock.advance(300);
    const live = (await start()).json().user_code as string;
    t.clock.advance(301);
    const store = t.issuer.context.store;
    const lookUp = (code: string) =>
      store.deviceAuthorizations.findByUserCode(
        userCodeDigest(t.issuer.context.secrets, normalizeUserCode(code)!),
      );
    assert.ok(await lookUp(expired));
    await deleteExpiredRows(store, Math.floor(t.clock() / 1000));
    assert.equal(await lookUp(expired), undefined);
    assert.ok(await lookUp(live));
  });
});
