import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SigningKeyRecord } from '@gatehouse/store';
import { keyStates, selectKeys } from './key-selection.js';

/** A stored key; only kid and the two times matter to the selection. */
function key(kid: string, activatesAt: number, createdAt = activatesAt): SigningKeyRecord {
  return { kid, alg: 'ES256', publicJwk: {}, privateKeyJwe: '', createdAt, activatesAt };
}

const RETENTION = 360;

describe('selectKeys', () => {
  it('signs with and publishes the only key, and never changes', () => {
    assert.deepEqual(selectKeys([key('a', 0)], 1000, RETENTION), {
      signingKid: 'a',
      publishedKids: ['a'],
      expiredKids: [],
      changesAt: Number.POSITIVE_INFINITY,
    });
  });

  it('throws when no key has activated yet', () => {
    assert.throws(() => selectKeys([key('a', 100)], 99, RETENTION), {
      message: 'no signing key is active yet',
    });
    assert.throws(() => selectKeys([], 0, RETENTION), { message: 'no signing key is active yet' });
  });

  it('publishes an upcoming key before it signs, and changes when it activates', () => {
    const keys = [key('a', 0), key('b', 3600, 0)];
    assert.deepEqual(selectKeys(keys, 3599, RETENTION), {
      signingKid: 'a',
      publishedKids: ['a', 'b'],
      expiredKids: [],
      changesAt: 3600,
    });
  });

  it('signs with the new key from the second it activates and keeps the old one published', () => {
    const keys = [key('a', 0), key('b', 3600, 0)];
    assert.deepEqual(selectKeys(keys, 3600, RETENTION), {
      signingKid: 'b',
      publishedKids: ['a', 'b'],
      expiredKids: [],
      changesAt: 3600 + RETENTION,
    });
  });

  it('expires a retired key once its successor has signed for the retention period', () => {
    const keys = [key('a', 0), key('b', 3600, 0)];
    assert.deepEqual(selectKeys(keys, 3600 + RETENTION - 1, RETENTION).publishedKids, ['a', 'b']);
    assert.deepEqual(selectKeys(keys, 3600 + RETENTION, RETENTION), {
      signingKid: 'b',
      publishedKids: ['b'],
      expiredKids: ['a'],
      changesAt: Number.POSITIVE_INFINITY,
    });
  });

  it('counts retention from the successor’s activation, not the retired key’s own', () => {
    // 'a' activated long ago; it still signed until 'b' took over at 10 000.
    const keys = [key('a', 0), key('b', 10_000)];
    assert.deepEqual(selectKeys(keys, 10_000 + RETENTION - 1, RETENTION).publishedKids, ['a', 'b']);
  });

  it('handles several generations: expired, retained, signing and upcoming at once', () => {
    const keys = [key('a', 0), key('b', 1000), key('c', 2000), key('d', 5000, 2100)];
    assert.deepEqual(selectKeys(keys, 2100, RETENTION), {
      signingKid: 'c',
      publishedKids: ['b', 'c', 'd'],
      expiredKids: ['a'],
      changesAt: 2000 + RETENTION,
    });
  });

  it('reports the earliest coming change when an activation comes before a retirement', () => {
    const keys = [key('a', 0), key('b', 1000), key('c', 1100, 1000)];
    assert.equal(selectKeys(keys, 1050, RETENTION).changesAt, 1100);
  });

  it('answers the same whatever order the store returns the rows in, and leaves them alone', () => {
    const keys = [key('c', 2000), key('a', 0), key('d', 5000, 2100), key('b', 1000)];
    const copy = structuredClone(keys);
    const sorted = [...keys].sort((x, y) => x.activatesAt - y.activatesAt);
    assert.deepEqual(selectKeys(keys, 2100, RETENTION), selectKeys(sorted, 2100, RETENTION));
    assert.deepEqual(keys, copy);
  });

  it('picks the same key from fully tied rows in any order (two nodes creating the first key at once)', () => {
    const a = key('kid-a', 100, 100);
    const b = key('kid-b', 100, 100);
    assert.deepEqual(selectKeys([a, b], 100, RETENTION), selectKeys([b, a], 100, RETENTION));
    assert.deepEqual(selectKeys([b, a], 100 + RETENTION, RETENTION).expiredKids, ['kid-a']);
  });

  it('breaks an activation tie by creation time: the key created last signs', () => {
    const keys = [key('late', 100, 50), key('early', 100, 10)];
    const selection = selectKeys(keys, 100, RETENTION);
    assert.equal(selection.signingKid, 'late');
    assert.deepEqual(selection.publishedKids, ['early', 'late']);
  });
});

describe('keyStates', () => {
  const of = (kid: string, alg: string, activatesAt: number): SigningKeyRecord => ({
    ...key(kid, activatesAt),
    alg,
  });

  it('judges each alg on its own: one signing key per alg', () => {
    const records = [of('es-old', 'ES256', 0), of('rs', 'RS256', 0), of('es-new', 'ES256', 100)];
    assert.deepEqual(Object.fromEntries(keyStates(records, 150, RETENTION)), {
      'es-old': 'retired',
      rs: 'signing',
      'es-new': 'signing',
    });
  });

  it('names upcoming, retired and expired keys', () => {
    const records = [
      of('a', 'RS256', 0),
      of('b', 'RS256', 100),
      of('c', 'RS256', 200),
      of('d', 'RS256', 900),
    ];
    assert.deepEqual(Object.fromEntries(keyStates(records, 500, RETENTION)), {
      a: 'expired',
      b: 'retired',
      c: 'signing',
      d: 'next',
    });
  });

  it('calls a first key of an alg that does not sign yet next', () => {
    assert.deepEqual(Object.fromEntries(keyStates([of('e', 'EdDSA', 50)], 10, RETENTION)), { e: 'next' });
  });
});
