import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createManualClock } from '@gatehouse/core';
import {
  ACCESS_TOKEN_PREFIX,
  generateOpaqueToken,
  opaqueTokenDigest,
  REFRESH_TOKEN_PREFIX,
} from './opaque-token.js';

const key = new Uint8Array(32).fill(7);
const secrets = { secrets: { tokenDigest: key } } as Parameters<typeof opaqueTokenDigest>[0];
const hmac = (token: string) => createHmac('sha256', key).update(token).digest('base64url');
const at = (ms: number) => ({ clock: createManualClock(ms) });

describe('opaque tokens', () => {
  it('are the prefix, the issue time as 12 hex digits, then 256 random bits', () => {
    const token = generateOpaqueToken(at(Date.UTC(2026, 10, 25)), ACCESS_TOKEN_PREFIX);
    assert.match(token, /^gh_at_[0-9a-f]{12}[A-Za-z0-9_-]{43}$/);
    assert.equal(Number.parseInt(token.slice(6, 18), 16), Date.UTC(2026, 10, 25));
    assert.match(generateOpaqueToken(at(0), REFRESH_TOKEN_PREFIX), /^gh_rt_000000000000[A-Za-z0-9_-]{43}$/);
  });

  it('never repeat, even issued in the same millisecond', () => {
    const ctx = at(Date.UTC(2026, 10, 25));
    const tokens = new Set(Array.from({ length: 1000 }, () => generateOpaqueToken(ctx, ACCESS_TOKEN_PREFIX)));
    assert.equal(tokens.size, 1000);
  });

  it('are stored under keys that sort in issue order', () => {
    const times = [
      Date.UTC(2026, 0, 1),
      Date.UTC(2026, 0, 1) + 1,
      Date.UTC(2026, 5, 1),
      Date.UTC(2030, 0, 1),
    ];
    const keys = times.map((ms) =>
      opaqueTokenDigest(secrets, generateOpaqueToken(at(ms), ACCESS_TOKEN_PREFIX)),
    );
    assert.deepEqual([...keys].sort(), keys);
  });
});

describe('opaqueTokenDigest', () => {
  it('keys an opaque token by its time digits and its HMAC, never the secret itself', () => {
    const token = generateOpaqueToken(at(Date.UTC(2026, 10, 25)), ACCESS_TOKEN_PREFIX);
    const stored = opaqueTokenDigest(secrets, token);
    assert.equal(stored, `${token.slice(6, 18)}.${hmac(token)}`);
    assert.ok(!stored.includes(token.slice(18)));
  });

  it('gives a token with altered time digits a different key', () => {
    const token = generateOpaqueToken(at(Date.UTC(2026, 10, 25)), ACCESS_TOKEN_PREFIX);
    const altered = `${token.slice(0, 17)}${token[17] === '0' ? '1' : '0'}${token.slice(18)}`;
    const [time, digest] = opaqueTokenDigest(secrets, altered).split('.');
    assert.notEqual(digest, hmac(token));
    assert.notEqual(`${time}.${digest}`, opaqueTokenDigest(secrets, token));
  });

  it('keys everything else (codes, older tokens, garbage) by the HMAC alone', () => {
    for (const value of [
      'gh_at_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'gh_dc_0123456789abAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'gh_at_0123456789ABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'gh_at_0123456789abAAAA',
      'some-authorization-code',
      '',
    ]) {
      assert.equal(opaqueTokenDigest(secrets, value), hmac(value), value);
    }
  });
});
