import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PASSWORD_LENGTH, passwordPolicyProblem } from './password-policy.js';

const policy = { minLength: 12 };

describe('passwordPolicyProblem', () => {
  it('accepts a password of the minimum length and of the maximum', () => {
    assert.equal(passwordPolicyProblem('a'.repeat(12), policy), undefined);
    assert.equal(passwordPolicyProblem('a'.repeat(MAX_PASSWORD_LENGTH), policy), undefined);
  });

  it('refuses an empty or whitespace-only password', () => {
    for (const password of ['', ' ', ' \t\n '.repeat(5)]) {
      assert.equal(passwordPolicyProblem(password, policy), 'must not be empty or only whitespace');
    }
  });

  it('refuses a password shorter than the configured minimum', () => {
    assert.equal(passwordPolicyProblem('a'.repeat(11), policy), 'must be at least 12 characters');
    assert.equal(passwordPolicyProblem('a'.repeat(15), { minLength: 16 }), 'must be at least 16 characters');
  });

  it('refuses a password longer than 1024 characters', () => {
    assert.equal(passwordPolicyProblem('a'.repeat(1025), policy), 'must be at most 1024 characters');
  });

  it('counts code points, not UTF-16 units', () => {
    // 11 emoji are 22 UTF-16 units but 11 characters.
    assert.equal(passwordPolicyProblem('🔑'.repeat(11), policy), 'must be at least 12 characters');
    assert.equal(passwordPolicyProblem('🔑'.repeat(12), policy), undefined);
    assert.equal(passwordPolicyProblem('🔑'.repeat(1024), policy), undefined);
  });

  it('keeps spaces inside a password (passphrases)', () => {
    assert.equal(passwordPolicyProblem('  correct horse  ', policy), undefined);
  });
});
