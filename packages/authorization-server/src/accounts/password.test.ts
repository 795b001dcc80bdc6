import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  isArgon2idHash,
  needsRehash,
  PASSWORD_HASH_PARAMETERS,
  verifyPassword,
} from './password.js';

const CHEAP = { memoryCost: 8192, timeCost: 1, parallelism: 1 };

describe('hashPassword', () => {
  it('makes an argon2id v1.3 PHC string with the OWASP parameters', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.deepEqual(PASSWORD_HASH_PARAMETERS, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });

  it('salts every hash', async () => {
    assert.notEqual(await hashPassword('same password'), await hashPassword('same password'));
  });

  it('takes other parameters when given', async () => {
    assert.match(await hashPassword('pw', CHEAP), /^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
  });
});

describe('verifyPassword', () => {
  it('accepts the password and refuses any other', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.equal(await verifyPassword(hash, 'correct horse battery staple'), true);
    assert.equal(await verifyPassword(hash, 'correct horse battery stapl'), false);
    assert.equal(await verifyPassword(hash, 'Correct horse battery staple'), false);
  });

  it('matches a password however its accents were composed (NFKC)', async () => {
    const composed = 'caf\u00e9 au lait, s’il vous plaît';
    const decomposed = composed.normalize('NFD');
    assert.notEqual(composed, decomposed);
    assert.equal(await verifyPassword(await hashPassword(composed), decomposed), true);
  });

  it('verifies hashes made with other parameters', async () => {
    assert.equal(await verifyPassword(await hashPassword('pw', CHEAP), 'pw'), true);
  });

  it('answers false, after the same work, when there is no hash', async () => {
    assert.equal(await verifyPassword(null, 'anything'), false);
  });

  it('answers false for a stored value that is not an argon2id hash', async () => {
    assert.equal(await verifyPassword('plain-text-password', 'plain-text-password'), false);
    assert.equal(await verifyPassword('$argon2i$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$aGFzaA', 'x'), false);
  });
});

describe('needsRehash', () => {
  it('is false for a hash with the current parameters', async () => {
    assert.equal(needsRehash(await hashPassword('pw')), false);
  });

  it('is true for a hash with other parameters, or that cannot be read', async () => {
    assert.equal(needsRehash(await hashPassword('pw', CHEAP)), true);
    assert.equal(needsRehash(await hashPassword('pw', { ...PASSWORD_HASH_PARAMETERS, timeCost: 3 })), true);
    assert.equal(needsRehash('not a hash'), true);
  });

  it('compares with the parameters given', async () => {
    assert.equal(needsRehash(await hashPassword('pw', CHEAP), CHEAP), false);
  });
});

describe('DUMMY_PASSWORD_HASH', () => {
  it('costs what a real hash costs: it uses the current parameters', () => {
    assert.equal(isArgon2idHash(DUMMY_PASSWORD_HASH), true);
    assert.equal(needsRehash(DUMMY_PASSWORD_HASH), false);
  });
});

describe('isArgon2idHash', () => {
  it('accepts argon2id v1.3 PHC strings only', async () => {
    assert.equal(isArgon2idHash(await hashPassword('pw', CHEAP)), true);
    for (const value of [
      '',
      'secret',
      '$argon2i$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
      '$argon2id$v=16$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
      '$argon2id$v=19$m=8192,t=1,p=1$$',
      '$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234',
    ]) {
      assert.equal(isArgon2idHash(value), false, value);
    }
  });
});
