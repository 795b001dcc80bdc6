import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailProblem, generateUserId, labelProblem, nameProblem, usernameProblem } from './user-fields.js';

describe('generateUserId', () => {
  it('gives 128 random bits, base64url, different every time', () => {
    const ids = new Set(Array.from({ length: 100 }, generateUserId));
    assert.equal(ids.size, 100);
    for (const id of ids) assert.equal(Buffer.from(id, 'base64url').length, 16);
  });
});

describe('usernameProblem', () => {
  it('accepts ASCII letters, digits, dot, underscore and dash, 1 to 64 of them', () => {
    for (const name of ['a', 'Alice', 'alice.smith', 'ci_bot-2', '7of9', 'a'.repeat(64)]) {
      assert.equal(usernameProblem(name), undefined, name);
    }
  });

  it('refuses anything else', () => {
    for (const name of [
      '',
      'a'.repeat(65),
      '-alice',
      '.alice',
      'alice smith',
      'alice@example.com',
      'zoë',
      'аlice',
    ]) {
      assert.equal(
        usernameProblem(name),
        "must be 1-64 characters: ASCII letters, digits, '.', '_' or '-', starting with a letter or digit",
        name,
      );
    }
  });
});

describe('emailProblem', () => {
  it('accepts one @ with something on each side, up to 254 characters', () => {
    assert.equal(emailProblem('a@b'), undefined);
    assert.equal(emailProblem(`${'a'.repeat(250)}@b.c`), undefined);
  });

  it('refuses a longer address, or one that is not an address', () => {
    assert.equal(emailProblem(`${'a'.repeat(251)}@b.c`), 'must be at most 254 characters');
    for (const email of ['alice', '@example.com', 'alice@', 'a@b@c', 'alice smith@example.com']) {
      assert.equal(emailProblem(email), "must be an email address like 'name@example.com'", email);
    }
  });
});

describe('nameProblem', () => {
  it('accepts any name up to 200 characters, and refuses a blank one', () => {
    assert.equal(nameProblem('Zoë Ångström-O’Brien'), undefined);
    assert.equal(nameProblem('n'.repeat(200)), undefined);
    assert.equal(nameProblem('n'.repeat(201)), 'must be at most 200 characters');
    assert.equal(nameProblem(' \t'), 'must not be empty');
  });
});

describe('labelProblem', () => {
  it('accepts visible ASCII without spaces, up to 100 characters', () => {
    assert.equal(labelProblem('team:zurich/ops'), undefined);
    for (const label of ['', 'two words', 'x'.repeat(101), 'zürich']) {
      assert.equal(labelProblem(label), 'must be 1-100 visible ASCII characters without spaces', label);
    }
  });
});
