import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { decodeProtectedHeader } from 'jose';
import { SERVICE_SECRET, startTestIssuer, type TestIssuer } from './testing/harness.js';

describe('createIssuer signing keys', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await storeBackends()[0]!.open(), {
      clients: [
        {
          client_id: 'service',
          client_secret: SERVICE_SECRET,
          grant_types: ['client_credentials'],
          scope: 'orders:read',
        },
        {
          client_id: 'web',
          client_secret: SERVICE_SECRET,
          grant_types: ['authorization_code'],
          redirect_uris: ['https://web.test/callback'],
          id_token_signed_response_alg: 'RS256',
        },
        { client_id: 'resource-server', client_secret: SERVICE_SECRET },
      ],
    });
  });
  after(() => t.close());

  it('creates a key for each client ID-token algorithm and keeps signing access tokens with tokens.signing_alg', async () => {
    const jwks = (await t.issuer.app.inject({ method: 'GET', url: '/jwks' })).json() as {
      keys: { alg: string }[];
    };
    assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    const res = await t.post(
      '/token',
      { grant_type: 'client_credentials', resource: 'https://api.test' },
      { basic: ['service', SERVICE_SECRET] },
    );
    assert.equal(decodeProtectedHeader(res.json().access_token).alg, 'ES256');
  });
});
