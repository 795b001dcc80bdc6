import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { describe, it, mock } from 'node:test';
import {
  formatUserCode,
  generateUserCode,
  normalizeUserCode,
  USER_CODE_ALPHABET,
  USER_CODE_LENGTH,
  userCodeDigest,
} from './user-code.js';

describe('user codes (RFC 8628 §6.1)', () => {
  it('uses the RFC’s base-20 alphabet: consonants only, no look-alikes', () => {
    assert.equal(USER_CODE_ALPHABET, 'BCDFGHJKLMNPQRSTVWXZ');
    assert.equal(new Set(USER_CODE_ALPHABET).size, 20);
    assert.equal(USER_CODE_LENGTH, 8);
  });

  it('generates 8 characters of the alphabet', () => {
    for (let i = 0; i < 200; i++) assert.match(generateUserCode(), /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
  });

  it('draws every character from crypto.randomInt over the whole alphabet', () => {
    const bounds: number[] = [];
    const code = generateUserCode((max) => {
      bounds.push(max);
      return bounds.length - 1;
    });
    assert.deepEqual(bounds, [20, 20, 20, 20, 20, 20, 20, 20]);
    assert.equal(code, 'BCDFGHJK');
    assert.equal(
      generateUserCode(() => 19),
      'ZZZZZZZZ',
    );
  });

  it('takes its randomness from node:crypto (the CSPRNG) by default', () => {
    const spy = mock.method(crypto, 'randomInt', () => 3);
    syncBuiltinESMExports();
    try {
      assert.equal(generateUserCode(), 'FFFFFFFF');
      assert.equal(spy.mock.callCount(), 8);
      assert.deepEqual(spy.mock.calls[0]?.arguments, [20]);
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
    assert.notEqual(generateUserCode(), 'FFFFFFFF');
  });

  it('uses every letter of the alphabet, about evenly', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const c of generateUserCode()) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    assert.equal(counts.size, 20);
    // 16,000 draws, 800 expected per letter; a biased or constant source falls far outside.
    for (const [letter, n] of counts) assert.ok(n > 600 && n < 1000, `${letter} drawn ${n} times`);
  });

  it('rarely repeats a code', () => {
    const codes = new Set(Array.from({ length: 5000 }, () => generateUserCode()));
    assert.ok(codes.size >= 4999);
  });

  it('shows a code as XXXX-XXXX', () => {
    assert.equal(formatUserCode('WDJBMJHT'), 'WDJB-MJHT');
  });

  it('normalises case, dashes and spaces, as a person may type them', () => {
    for (const typed of [
      'WDJB-MJHT',
      'wdjb-mjht',
      'wdjbmjht',
      ' WDJB MJHT ',
      'W-D-J-B-M-J-H-T',
      'wdjb–mjht',
      'ＷＤＪＢ－ＭＪＨＴ',
    ]) {
      assert.equal(normalizeUserCode(typed), 'WDJBMJHT', typed);
    }
  });

  it('refuses what cannot be a code: wrong length, vowels, digits, other characters', () => {
    for (const typed of [
      '',
      'WDJB-MJH',
      'WDJB-MJHTT',
      'WDJB-MJHA',
      'WDJB-MJH1',
      'WDJB_MJHT',
      'WDJB.MJHT',
      'W'.repeat(100),
    ]) {
      assert.equal(normalizeUserCode(typed), undefined, typed);
    }
  });

  it('stores a code as a keyed digest: the same for the same code and key, else different', () => {
    const secrets = { tokenDigest: new Uint8Array(32).fill(1) };
    const other = { tokenDigest: new Uint8Array(32).fill(2) };
    const digest = userCodeDigest(secrets, 'WDJBMJHT');
    assert.equal(digest, userCodeDigest(secrets, 'WDJBMJHT'));
    assert.notEqual(digest, userCodeDigest(secrets, 'WDJBMJHV'));
    assert.notEqual(digest, userCodeDigest(other, 'WDJBMJHT'));
    assert.ok(!digest.includes('WDJB'));
  });
});
