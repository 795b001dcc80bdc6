import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { epochSeconds } from '@gatehouse/core';
import type { ClientRecord } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { ensureSigningKeys } from '../keys/key-ring.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';
import { BACKCHANNEL_LOGOUT_EVENT, issueLogoutToken } from './logout-token.js';

function client(alg?: string): ClientRecord {
  return {
    clientId: 'web-app',
    secretDigest: null,
    metadata: {
      grant_types: ['authorization_code'],
      redirect_uris: ['https://app.test/cb'],
      token_endpoint_auth_method: 'none',
      backchannel_logout_uri: 'https://app.test/backchannel',
      ...(alg ? { id_token_signed_response_alg: alg } : {}),
    },
    source: 'admin',
    createdAt: 0,
    updatedAt: 0,
  };
}

describe('logout token (Back-Channel Logout 1.0 §2.4)', () => {
  let t: TestIssuer;
  let now: number;
  before(async () => {
    t = await startTestIssuer(await storeBackends()[0]!.open());
    const ctx = t.issuer.context;
    now = epochSeconds(t.clock);
    await ensureSigningKeys(ctx.store.signingKeys, ['EdDSA'], ctx.secrets.keyEncryption, now);
    await ctx.keys.reload();
  });
  after(() => t.close());

  /** Verifies as the RP must (§2.6): signature with our JWKS, iss, aud, iat, typ. */
  const verifyAsRp = async (token: string) => {
    const jwks = (await t.issuer.app.inject({ method: 'GET', url: '/jwks' })).json();
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: TEST_ISSUER,
      audience: 'web-app',
      typ: 'logout+jwt',
      currentDate: new Date(t.clock()),
      requiredClaims: ['iat', 'exp', 'jti', 'events'],
    });
    return payload;
  };

  it('has exactly iss, sub, aud, iat, exp, jti, events and sid, and no nonce', async () => {
    const token = issueLogoutToken(t.issuer.context, {
      client: client(),
      subject: 'u-7f3a',
      sid: 'sid-3c1e',
      issuedAt: now,
      lifetime: 120,
    });
    const payload = await verifyAsRp(token);
    assert.deepEqual(Object.keys(payload).sort(), [
      'aud',
      'events',
      'exp',
      'iat',
      'iss',
      'jti',
      'sid',
      'sub',
    ]);
    assert.equal('nonce' in payload, false);
    assert.deepEqual(payload['events'], { [BACKCHANNEL_LOGOUT_EVENT]: {} });
    assert.equal(payload.sub, 'u-7f3a');
    assert.equal(payload['sid'], 'sid-3c1e');
    assert.equal(payload.exp, now + 120);
    assert.match(payload.jti!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(decodeProtectedHeader(token).typ, 'logout+jwt');
  });

  it('gives every token its own jti', () => {
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    const options = { client: client(), sid: 'sid-3c1e', issuedAt: now, lifetime: 120 };
    const a = claims(issueLogoutToken(t.issuer.context, options));
    const b = claims(issueLogoutToken(t.issuer.context, options));
    assert.notEqual(a.jti, b.jti);
  });

  it('may carry only a sid or only a sub', async () => {
    const bySid = await verifyAsRp(
      issueLogoutToken(t.issuer.context, { client: client(), sid: 's-1', issuedAt: now, lifetime: 120 }),
    );
    assert.equal('sub' in bySid, false);
    const bySub = await verifyAsRp(
      issueLogoutToken(t.issuer.context, { client: client(), subject: 'u-1', issuedAt: now, lifetime: 120 }),
    );
    assert.equal('sid' in bySub, false);
  });

  it('refuses to issue a token with neither sub nor sid', () => {
    assert.throws(
      () => issueLogoutToken(t.issuer.context, { client: client(), issuedAt: now, lifetime: 120 }),
      {
        message: 'a logout token needs a subject or a sid',
      },
    );
  });

  it('is signed with the alg of the client’s ID tokens', async () => {
    const token = issueLogoutToken(t.issuer.context, {
      client: client('EdDSA'),
      sid: 'sid-3c1e',
      issuedAt: now,
      lifetime: 120,
    });
    assert.equal(decodeProtectedHeader(token).alg, 'EdDSA');
    await verifyAsRp(token);
  });
});
