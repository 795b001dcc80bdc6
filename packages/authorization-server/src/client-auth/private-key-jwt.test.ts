import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { epochSeconds } from '@gatehouse/core';
import { storeBackends } from '@gatehouse/store/testing';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import {
  SERVICE_SECRET,
  startTestIssuer,
  TEST_ISSUER,
  type TestIssuer,
  testConfigDocument,
} from '../testing/harness.js';
import { type JwksUriStub, stubJwksUris } from '../testing/jwks-uri-stub.js';
import { JWT_BEARER_ASSERTION } from './presented-credentials.js';

const INVALID_CLIENT = { error: 'invalid_client', error_description: 'client authentication failed' };

interface AssertionOptions {
  key?: CryptoKey | Uint8Array;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
}

for (const backend of storeBackends()) {
  describe(`client authentication private_key_jwt (${backend.name})`, { skip: backend.skipReason }, () => {
    let t: TestIssuer;
    let signerKey: CryptoKey;
    let rsaKey: CryptoKey;
    let strangerKey: CryptoKey;
    let stub: JwksUriStub;
    const macSecret = randomBytes(32);
    // One URL per backend: the issuer's cache of a jwks_uri outlives a test issuer.
    const KEYS = `https://keys.signer.test/${backend.name}/jwks.json`;
    const BROKEN_KEYS = 'https://broken.signer.test/jwks.json';

    before(async () => {
      ({ privateKey: signerKey } = await generateKeyPair('ES256', { extractable: true }));
      ({ privateKey: rsaKey } = await generateKeyPair('RS256', { extractable: true }));
      ({ privateKey: strangerKey } = await generateKeyPair('ES256'));
      const publicJwk = async (key: CryptoKey, kid: string, alg: string): Promise<JWK> => {
        const { d, p, q, dp, dq, qi, ...rest } = await exportJWK(key);
        return { ...rest, kid, alg, use: 'sig' };
      };
      stub = stubJwksUris();
      stub.serve(KEYS, { keys: [await publicJwk(signerKey, 'signer-1', 'ES256')] });
      stub.serve(BROKEN_KEYS, 500);
      const base = testConfigDocument();
      t = await startTestIssuer(await backend.open(), {
        clients: [
          ...(base['clients'] as object[]),
          {
            client_id: 'signer',
            token_endpoint_auth_method: 'private_key_jwt',
            jwks: { keys: [await publicJwk(signerKey, 'signer-1', 'ES256')] },
            scope: 'orders:read ledger:read',
          },
          {
            client_id: 'uri-signer',
            token_endpoint_auth_method: 'private_key_jwt',
            jwks_uri: KEYS,
            scope: 'orders:read',
          },
          { client_id: 'broken-uri', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: BROKEN_KEYS },
          {
            client_id: 'rsa-signer',
            token_endpoint_auth_method: 'private_key_jwt',
            token_endpoint_auth_signing_alg: 'RS256',
            jwks: {
              keys: [
                await publicJwk(rsaKey, 'rsa-1', 'RS256'),
                await publicJwk(signerKey, 'signer-1', 'ES256'),
              ],
            },
            scope: 'orders:read',
          },
          {
            // private_key_jwt is asymmetric by definition; a config that says otherwise must not
            // turn it into a shared-secret method.
            client_id: 'mac',
            token_endpoint_auth_method: 'private_key_jwt',
            token_endpoint_auth_signing_alg: 'HS256',
            jwks: { keys: [{ kty: 'oct', k: macSecret.toString('base64url'), kid: 'mac-1', alg: 'HS256' }] },
            scope: 'orders:read',
          },
        ],
      });
    });
    after(async () => {
      await t.close();
      stub.restore();
    });

    /** A valid assertion for `signer` unless told otherwise. */
    const assertion = async (options: AssertionOptions = {}): Promise<string> => {
      const now = epochSeconds(t.clock);
      const claims = {
        iss: 'signer',
        sub: 'signer',
        aud: TEST_ISSUER,
        iat: now,
        exp: now + 60,
        jti: randomUUID(),
        ...options.claims,
      };
      for (const [name, value] of Object.entries(claims)) {
        if (value === undefined) delete (claims as Record<string, unknown>)[name];
      }
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'signer-1', ...options.header })
        .sign(options.key ?? signerKey);
    };

    const tokenRequest = (clientAssertion: string, extra: Record<string, string> = {}) =>
      t.post('/token', {
        grant_type: 'client_credentials',
        resource: 'https://api.test',
        client_id: 'signer',
        client_assertion_type: JWT_BEARER_ASSERTION,
        client_assertion: clientAssertion,
        ...extra,
      });

    const assertInvalidClient = async (clientAssertion: string, extra: Record<string, string> = {}) => {
      const res = await tokenRequest(clientAssertion, extra);
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), INVALID_CLIENT);
    };

    it('issues a token for a valid assertion', async () => {
      const res = await tokenRequest(await assertion());
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().scope, 'orders:read');
    });

    it('verifies the assertion with the keys at the client’s jwks_uri', async () => {
      const signed = (key: CryptoKey) => assertion({ key, claims: { iss: 'uri-signer', sub: 'uri-signer' } });
      const request = async (clientAssertion: string) =>
        t.post('/token', {
          grant_type: 'client_credentials',
          resource: 'https://api.test',
          client_assertion_type: JWT_BEARER_ASSERTION,
          client_assertion: clientAssertion,
        });
      const accepted = await request(await signed(signerKey));
      assert.equal(accepted.statusCode, 200, accepted.body);
      const stranger = await request(await signed(strangerKey));
      assert.equal(stranger.statusCode, 401);
      assert.deepEqual(stranger.json(), INVALID_CLIENT);
      assert.ok(stub.fetches(KEYS) >= 1);
    });

    it('rejects the client, never a server error, while its jwks_uri fails', async () => {
      const res = await t.post('/token', {
        grant_type: 'client_credentials',
        resource: 'https://api.test',
        client_assertion_type: JWT_BEARER_ASSERTION,
        client_assertion: await assertion({ claims: { iss: 'broken-uri', sub: 'broken-uri' } }),
      });
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), INVALID_CLIENT);
    });

    it('accepts the token endpoint URL as the audience', async () => {
      const res = await tokenRequest(await assertion({ claims: { aud: `${TEST_ISSUER}/token` } }));
      assert.equal(res.statusCode, 200);
    });

    it('finds the client through sub when client_id is not sent', async () => {
      const res = await t.post('/token', {
        grant_type: 'client_credentials',
        resource: 'https://api.test',
        client_assertion_type: JWT_BEARER_ASSERTION,
        client_assertion: await assertion(),
      });
      assert.equal(res.statusCode, 200);
    });

    it('authenticates the client at introspection and revocation as well', async () => {
      const token = (await tokenRequest(await assertion())).json().access_token as string;
      const auth = async () => ({
        client_id: 'signer',
        client_assertion_type: JWT_BEARER_ASSERTION,
        client_assertion: await assertion(),
      });
      const introspected = await t.post('/introspect', { token, ...(await auth()) });
      assert.equal(introspected.statusCode, 200);
      assert.equal(introspected.json().active, true);
      assert.equal(introspected.json().client_id, 'signer');
      assert.equal((await t.post('/revoke', { token, ...(await auth()) })).statusCode, 200);
      assert.equal((await t.post('/introspect', { token, ...(await auth()) })).json().active, false);
    });

    it('accepts the registered token_endpoint_auth_signing_alg', async () => {
      const res = await tokenRequest(
        await assertion({
          key: rsaKey,
          header: { alg: 'RS256', kid: 'rsa-1' },
          claims: { iss: 'rsa-signer', sub: 'rsa-signer' },
        }),
        { client_id: 'rsa-signer' },
      );
      assert.equal(res.statusCode, 200);
    });

    it('rejects another algorithm than the registered one, even with a registered key', async () => {
      await assertInvalidClient(await assertion({ claims: { iss: 'rsa-signer', sub: 'rsa-signer' } }), {
        client_id: 'rsa-signer',
      });
    });

    it('rejects an assertion whose jti was already used', async () => {
      const once = await assertion();
      assert.equal((await tokenRequest(once)).statusCode, 200);
      await assertInvalidClient(once);
    });

    it('rejects a new assertion that reuses a jti', async () => {
      const jti = randomUUID();
      assert.equal((await tokenRequest(await assertion({ claims: { jti } }))).statusCode, 200);
      await assertInvalidClient(await assertion({ claims: { jti, exp: epochSeconds(t.clock) + 120 } }));
    });

    it('rejects an assertion for another audience', async () => {
      await assertInvalidClient(await assertion({ claims: { aud: 'https://elsewhere.test' } }));
    });

    it('rejects an assertion whose audience is the introspection endpoint', async () => {
      await assertInvalidClient(await assertion({ claims: { aud: `${TEST_ISSUER}/introspect` } }));
    });

    it('rejects an expired assertion', async () => {
      const now = epochSeconds(t.clock);
      await assertInvalidClient(await assertion({ claims: { iat: now - 120, exp: now - 60 } }));
    });

    it('rejects an assertion without exp', async () => {
      await assertInvalidClient(await assertion({ claims: { exp: undefined } }));
    });

    it('rejects an assertion without jti', async () => {
      await assertInvalidClient(await assertion({ claims: { jti: undefined } }));
    });

    it('rejects a jti that is not a string of at most 256 characters without NUL, and stores none of them', async () => {
      // A random 4000-character jti overflowed the replay store's PostgreSQL index; NUL cannot
      // be stored in PostgreSQL text at all. Both were 500s there.
      for (const jti of [randomBytes(3000).toString('base64url'), 'a\0b', '', 42, ['a']]) {
        await assertInvalidClient(await assertion({ claims: { jti } }));
      }
      const longest = 'j'.repeat(256);
      assert.equal((await tokenRequest(await assertion({ claims: { jti: longest } }))).statusCode, 200);
    });

    it('accepts an assertion that expires 600 seconds from now', async () => {
      const res = await tokenRequest(await assertion({ claims: { exp: epochSeconds(t.clock) + 600 } }));
      assert.equal(res.statusCode, 200);
    });

    it('rejects an assertion that expires more than 600 seconds from now', async () => {
      await assertInvalidClient(await assertion({ claims: { exp: epochSeconds(t.clock) + 601 } }));
    });

    it('rejects an HS256 assertion', async () => {
      await assertInvalidClient(await assertion({ key: randomBytes(32), header: { alg: 'HS256' } }));
    });

    it('rejects HS256 even for a client that registered it with a symmetric key', async () => {
      const res = await tokenRequest(
        await assertion({
          key: macSecret,
          header: { alg: 'HS256', kid: 'mac-1' },
          claims: { iss: 'mac', sub: 'mac' },
        }),
        { client_id: 'mac' },
      );
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), INVALID_CLIENT);
    });

    it('rejects an unsigned (alg none) assertion', async () => {
      const signed = await assertion();
      const [, payload] = signed.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
      await assertInvalidClient(`${header}.${payload}.`);
    });

    it('rejects an assertion signed by a key the client did not register', async () => {
      await assertInvalidClient(await assertion({ key: strangerKey }));
    });

    it('rejects an assertion whose iss is not its sub', async () => {
      await assertInvalidClient(await assertion({ claims: { iss: 'service' } }));
    });

    it('rejects an assertion about another client than client_id names', async () => {
      await assertInvalidClient(await assertion({ claims: { iss: 'rsa-signer', sub: 'rsa-signer' } }));
    });

    it('rejects an assertion for a client registered with a secret', async () => {
      const claims = { iss: 'service', sub: 'service' };
      await assertInvalidClient(await assertion({ claims }), { client_id: 'service' });
    });

    it('rejects a client_assertion that is not a JWT', async () => {
      await assertInvalidClient('not-a-jwt');
      await assertInvalidClient('a.b.c');
    });

    it('rejects a client_assertion without a sub when client_id is not sent', async () => {
      const res = await t.post('/token', {
        grant_type: 'client_credentials',
        client_assertion_type: JWT_BEARER_ASSERTION,
        client_assertion: await assertion({ claims: { sub: undefined } }),
      });
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), INVALID_CLIENT);
    });

    it('rejects another client_assertion_type with 400 invalid_request', async () => {
      const res = await tokenRequest(await assertion(), {
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
      });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json(), {
        error: 'invalid_request',
        error_description: `client_assertion_type must be ${JWT_BEARER_ASSERTION}`,
      });
    });

    it('rejects client_assertion_type without client_assertion with 400 invalid_request', async () => {
      const res = await t.post('/token', {
        grant_type: 'client_credentials',
        client_id: 'signer',
        client_assertion_type: JWT_BEARER_ASSERTION,
      });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json(), {
        error: 'invalid_request',
        error_description: "missing required parameter 'client_assertion'",
      });
    });

    it('rejects an assertion sent together with Basic credentials with 400 invalid_request', async () => {
      const res = await t.post(
        '/token',
        {
          grant_type: 'client_credentials',
          client_assertion_type: JWT_BEARER_ASSERTION,
          client_assertion: await assertion(),
        },
        { basic: ['service', SERVICE_SECRET] },
      );
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json(), {
        error: 'invalid_request',
        error_description: 'more than one client authentication method was used',
      });
    });
  });
}
