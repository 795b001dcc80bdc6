import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isOAuthError } from '@gatehouse/core';
import { storeBackends } from '@gatehouse/store/testing';
import { SignJWT } from 'jose';
import { createDpopKey, type TestDpopKey, unsignedJwt } from '../testing/dpop-proof.js';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';
import { issueDpopNonce } from './nonce.js';
import { readDpopHeader, verifyDpopProof } from './verify-proof.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;
const TOKEN_URL = `${TEST_ISSUER}/token`;

describe('verifyDpopProof (RFC 9449 §4.3)', () => {
  let t: TestIssuer;
  let key: TestDpopKey;
  before(async () => {
    t = await startTestIssuer(await sqlite.open());
    key = await createDpopKey(t.clock);
  });
  after(() => t.close());

  const verify = (proof: string, extra: { method?: string; urls?: string[]; accessToken?: string } = {}) =>
    verifyDpopProof(t.issuer.context, {
      proof,
      method: extra.method ?? 'POST',
      urls: extra.urls ?? [TOKEN_URL],
      ...(extra.accessToken !== undefined ? { accessToken: extra.accessToken } : {}),
    });
  const rejects = async (proof: string | Promise<string>, code: string, extra = {}) => {
    const value = await proof;
    await assert.rejects(verify(value, extra), (error: unknown) => {
      assert.ok(isOAuthError(error), String(error));
      assert.equal(error.code, code);
      assert.equal(error.status, 400);
      return true;
    });
  };

  it('accepts a fresh proof and returns the key’s RFC 7638 thumbprint', async () => {
    const verified = await verify(await key.proof({ htu: TOKEN_URL }));
    assert.equal(verified.jkt, key.jkt);
    assert.deepEqual(verified.jwk, key.publicJwk);
  });

  it('refuses a replayed proof (§11.1), and the same jti under another key is another proof', async () => {
    const proof = await key.proof({ htu: TOKEN_URL, jti: 'replay-me' });
    await verify(proof);
    await rejects(proof, 'invalid_dpop_proof');
    const other = await createDpopKey(t.clock);
    await verify(await other.proof({ htu: TOKEN_URL, jti: 'replay-me' }));
  });

  it('refuses a proof for another URL, and ignores query and fragment (§4.3 item 9)', async () => {
    await rejects(key.proof({ htu: `${TEST_ISSUER}/userinfo` }), 'invalid_dpop_proof');
    await rejects(key.proof({ htu: 'https://evil.test/token' }), 'invalid_dpop_proof');
    await rejects(key.proof({ htu: 'not a url' }), 'invalid_dpop_proof');
    await verify(await key.proof({ htu: `${TOKEN_URL}?a=b#frag` }));
  });

  it('compares htu after RFC 3986 syntax- and scheme-based normalisation', async () => {
    await verify(await key.proof({ htu: 'HTTPS://Issuer.TEST:443/%74oken' }));
    await verify(await key.proof({ htu: 'https://issuer.test/x/../token' }));
  });

  it('refuses a proof for another method (§4.3 item 8)', async () => {
    await rejects(key.proof({ htu: TOKEN_URL, htm: 'GET' }), 'invalid_dpop_proof');
    await rejects(key.proof({ htu: TOKEN_URL, htm: 'post' }), 'invalid_dpop_proof');
  });

  it('refuses a stale proof and one from too far in the future (§4.3 item 11)', async () => {
    const now = Math.floor(t.clock() / 1000);
    const { proof_max_age: maxAge, clock_skew: skew } = t.issuer.context.config.dpop;
    await verify(await key.proof({ htu: TOKEN_URL, iat: now - maxAge }));
    await rejects(key.proof({ htu: TOKEN_URL, iat: now - maxAge - 1 }), 'invalid_dpop_proof');
    await verify(await key.proof({ htu: TOKEN_URL, iat: now + skew }));
    await rejects(key.proof({ htu: TOKEN_URL, iat: now + skew + 1 }), 'invalid_dpop_proof');
  });

  it('refuses a proof that aged out while held back', async () => {
    const proof = await key.proof({ htu: TOKEN_URL });
    t.clock.advance(t.issuer.context.config.dpop.proof_max_age + 1);
    await rejects(proof, 'invalid_dpop_proof');
  });

  it('refuses a proof whose jwk carries a private key (§4.3 item 7)', async () => {
    await rejects(key.proof({ htu: TOKEN_URL, header: { jwk: key.privateJwk } }), 'invalid_dpop_proof');
  });

  it('refuses alg none and HMAC algorithms (§4.3 item 5)', async () => {
    const claims = { jti: 'n1', htm: 'POST', htu: TOKEN_URL, iat: Math.floor(t.clock() / 1000) };
    await rejects(
      unsignedJwt({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk }, claims),
      'invalid_dpop_proof',
    );
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.publicJwk })
      .sign(new Uint8Array(32).fill(1));
    await rejects(hmac, 'invalid_dpop_proof');
  });

  it('refuses a wrong typ, a missing jwk and a signature by another key (§4.3 items 4, 6)', async () => {
    await rejects(key.proof({ htu: TOKEN_URL, header: { typ: 'JWT' } }), 'invalid_dpop_proof');
    await rejects(key.proof({ htu: TOKEN_URL, header: { jwk: undefined } }), 'invalid_dpop_proof');
    const other = await createDpopKey(t.clock);
    await rejects(key.proof({ htu: TOKEN_URL, header: { jwk: other.publicJwk } }), 'invalid_dpop_proof');
  });

  it('refuses garbage and proofs missing a required claim (§4.2)', async () => {
    await rejects('not.a.jwt', 'invalid_dpop_proof');
    await rejects('e30', 'invalid_dpop_proof');
    for (const claim of ['jti', 'htm', 'htu', 'iat']) {
      await rejects(key.proof({ htu: TOKEN_URL, claims: { [claim]: undefined } }), 'invalid_dpop_proof');
    }
    await rejects(key.proof({ htu: TOKEN_URL, claims: { iat: 'now' } }), 'invalid_dpop_proof');
  });

  it('refuses a jwk WebCrypto cannot import (a point not on the curve), once a 500', async () => {
    for (const x of ['a'.repeat(6000), key.publicJwk.y!]) {
      await rejects(
        key.proof({ htu: TOKEN_URL, header: { jwk: { ...key.publicJwk, x } } }),
        'invalid_dpop_proof',
      );
    }
  });

  it('refuses a jti with NUL, which the replay store could not keep on PostgreSQL', async () => {
    await rejects(key.proof({ htu: TOKEN_URL, jti: 'a\0b' }), 'invalid_dpop_proof');
  });

  it('checks ath against the access token it comes with (§4.3 item 12)', async () => {
    const urls = [`${TEST_ISSUER}/userinfo`];
    const proof = (accessToken?: string) =>
      key.proof({ htm: 'GET', htu: urls[0]!, ...(accessToken ? { accessToken } : {}) });
    await verify(await proof('token-a'), { method: 'GET', urls, accessToken: 'token-a' });
    await rejects(proof('token-b'), 'invalid_dpop_proof', { method: 'GET', urls, accessToken: 'token-a' });
    await rejects(proof(), 'invalid_dpop_proof', { method: 'GET', urls, accessToken: 'token-a' });
  });

  it('answers an unknown nonce with use_dpop_nonce and a fresh DPoP-Nonce (§8)', async () => {
    const proof = await key.proof({ htu: TOKEN_URL, nonce: 'made-up' });
    await assert.rejects(verify(proof), (error: unknown) => {
      assert.ok(isOAuthError(error));
      assert.equal(error.code, 'use_dpop_nonce');
      assert.equal(error.headers['dpop-nonce'], issueDpopNonce(t.issuer.context));
      return true;
    });
    await verify(await key.proof({ htu: TOKEN_URL, nonce: issueDpopNonce(t.issuer.context) }));
  });
});

describe('readDpopHeader (RFC 9449 §4.3 items 1 and 2)', () => {
  it('reads one header, none, and refuses two or a list', () => {
    assert.equal(readDpopHeader(undefined), undefined);
    assert.equal(readDpopHeader(['a.b.c']), 'a.b.c');
    for (const values of [['a.b.c', 'd.e.f'], ['a.b.c, d.e.f'], ['']]) {
      assert.throws(
        () => readDpopHeader(values),
        (error: unknown) => isOAuthError(error) && error.code === 'invalid_dpop_proof',
      );
    }
  });
});
