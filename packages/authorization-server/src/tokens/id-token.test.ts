import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { epochSeconds } from '@gatehouse/core';
import type { ClientRecord, UserRecord } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { ensureSigningKeys } from '../keys/key-ring.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';
import { type IdTokenOptions, issueIdToken } from './id-token.js';

const user: UserRecord = {
  id: 'u-7f3a',
  username: 'alice',
  email: 'alice@example.test',
  emailVerified: true,
  name: 'Alice Liddell',
  roles: ['admin'],
  groups: [],
  status: 'active',
  passwordHash: null,
  source: 'admin',
  createdAt: 1_700_000_000,
  updatedAt: 1_700_000_500,
};

function client(clientId: string, alg?: string): ClientRecord {
  return {
    clientId,
    secretDigest: null,
    metadata: {
      grant_types: ['authorization_code'],
      redirect_uris: ['https://app.test/cb'],
      token_endpoint_auth_method: 'none',
      ...(alg ? { id_token_signed_response_alg: alg } : {}),
    },
    source: 'admin',
    createdAt: 0,
    updatedAt: 0,
  };
}

describe('ID token (OIDC Core §2)', () => {
  let t: TestIssuer;
  let now: number;
  before(async () => {
    t = await startTestIssuer(await storeBackends()[0]!.open());
    const ctx = t.issuer.context;
    now = epochSeconds(t.clock);
    // What the issuer does at start for a client registering EdDSA (RS256 is always there).
    assert.equal(ctx.keys.hasSigningKey('RS256'), true, 'RS256, the ID-token default, is kept at start');
    await ensureSigningKeys(ctx.store.signingKeys, ['EdDSA'], ctx.secrets.keyEncryption, now);
    await ctx.keys.reload();
  });
  after(() => t.close());

  const options = (overrides: Partial<IdTokenOptions> = {}): IdTokenOptions => ({
    client: client('web-app'),
    user,
    session: { sid: 'sid-3c1e' },
    nonce: 'n-0S6_WzA2Mj',
    authTime: now - 30,
    acr: 'urn:gatehouse:acr:pwd',
    amr: ['pwd'],
    scopes: ['openid', 'profile', 'email'],
    accessToken: 'gh_at_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    issuedAt: now,
    lifetime: 300,
    ...overrides,
  });

  /** Verifies as a relying party would: the published JWKS, our issuer, its client_id (§3.1.3.7). */
  const verifyAsRp = async (token: string, clientId = 'web-app'): Promise<JWTPayload> => {
    const jwks = (await t.issuer.app.inject({ method: 'GET', url: '/jwks' })).json();
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: TEST_ISSUER,
      audience: clientId,
      currentDate: new Date(t.clock()),
      requiredClaims: ['sub', 'exp', 'iat', 'auth_time'],
    });
    return payload;
  };

  // OIDC Registration §2: "The default, if omitted, is RS256", whatever alg access tokens use
  // (ES256 in the test issuer).
  for (const [registered, expected] of [
    [undefined, 'RS256'],
    ['ES256', 'ES256'],
    ['RS256', 'RS256'],
    ['EdDSA', 'EdDSA'],
  ] as const) {
    it(`signs with ${expected} for a client registering ${registered ?? 'no alg'}, verifiable with /jwks`, async () => {
      const token = issueIdToken(t.issuer.context, options({ client: client('web-app', registered) }));
      const header = decodeProtectedHeader(token);
      assert.equal(header.alg, expected);
      assert.equal(header.typ, 'JWT');
      const payload = await verifyAsRp(token);
      const hash = expected === 'EdDSA' ? 'sha512' : 'sha256';
      const digest = createHash(hash).update(options().accessToken!, 'ascii').digest();
      assert.equal(payload['at_hash'], digest.subarray(0, digest.length / 2).toString('base64url'));
    });
  }

  it('carries iss, sub, aud, exp, iat, auth_time, nonce, acr, amr and sid; no azp, no c_hash', async () => {
    const payload = await verifyAsRp(issueIdToken(t.issuer.context, options()));
    assert.deepEqual(
      { ...payload, at_hash: undefined },
      {
        iss: TEST_ISSUER,
        sub: 'u-7f3a',
        aud: 'web-app',
        exp: now + 300,
        iat: now,
        auth_time: now - 30,
        nonce: 'n-0S6_WzA2Mj',
        acr: 'urn:gatehouse:acr:pwd',
        amr: ['pwd'],
        sid: 'sid-3c1e',
        at_hash: undefined,
      },
    );
  });

  it('passes the nonce through byte for byte, and omits it when the request had none', async () => {
    const nonce = 'ünïcode nonce / with spaces+&=';
    assert.equal((await verifyAsRp(issueIdToken(t.issuer.context, options({ nonce }))))['nonce'], nonce);
    const without = await verifyAsRp(issueIdToken(t.issuer.context, options({ nonce: undefined })));
    assert.equal('nonce' in without, false);
  });

  it('omits acr, amr, sid and at_hash when there are none', async () => {
    const payload = await verifyAsRp(
      issueIdToken(
        t.issuer.context,
        options({ acr: null, amr: [], session: undefined, accessToken: undefined, scopes: ['openid'] }),
      ),
    );
    assert.deepEqual(Object.keys(payload).sort(), ['aud', 'auth_time', 'exp', 'iat', 'iss', 'nonce', 'sub']);
  });

  it('puts scope claims in the ID token only when no access token is issued (OIDC Core §5.4)', async () => {
    const withAccessToken = await verifyAsRp(issueIdToken(t.issuer.context, options()));
    assert.equal('email' in withAccessToken, false);
    assert.equal('name' in withAccessToken, false);
    const alone = await verifyAsRp(issueIdToken(t.issuer.context, options({ accessToken: undefined })));
    assert.equal(alone['email'], 'alice@example.test');
    assert.equal(alone['email_verified'], true);
    assert.equal(alone['name'], 'Alice Liddell');
    assert.equal('roles' in alone, false, 'roles scope was not granted');
  });

  it('fails clearly when the issuer has no key of the client’s alg', async () => {
    // A ring without the alg: what happens if ensureSigningKeys was not wired.
    const keys = { hasSigningKey: () => false, signingKey: () => assert.fail('must not sign') };
    const deps = { config: t.issuer.context.config, keys } as unknown as Parameters<typeof issueIdToken>[0];
    assert.throws(() => issueIdToken(deps, options({ client: client('legacy', 'RS256') })), {
      message:
        'client legacy needs RS256 ID tokens but the issuer has no active RS256 key ' +
        '(ensureSigningKeys must run at start with signingAlgsInUse(config))',
    });
    assert.throws(() => issueIdToken(deps, options({ client: client('default') })), {
      message: /^client default needs RS256 ID tokens but the issuer has no active RS256 key/,
    });
  });

  it('rejects an alg it cannot sign with', () => {
    assert.throws(() => issueIdToken(t.issuer.context, options({ client: client('odd', 'HS256') })), {
      message: 'client odd: id_token_signed_response_alg HS256 is not supported',
    });
  });
});
