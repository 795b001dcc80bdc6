import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOAuthError } from '@gatehouse/core';
import { FormParams, MAX_PARAMETER_LENGTH } from './form-params.js';

function refusal(body: string): string {
  try {
    FormParams.parse(body);
  } catch (error) {
    assert.ok(isOAuthError(error));
    assert.equal(error.code, 'invalid_request');
    assert.equal(error.status, 400);
    return error.description ?? '';
  }
  assert.fail(`accepted ${body}`);
}

describe('form parameters', () => {
  it('refuses a NUL character in any value or name (RFC 6749 Appendix A admits none)', () => {
    assert.match(refusal('client_id=a%00b'), /parameter 'client_id' contains a NUL character/);
    assert.match(refusal('username=%00'), /parameter 'username' contains a NUL/);
    assert.match(refusal('a%00b=c'), /parameter 'ab' contains a NUL/);
  });

  it('refuses repeated and over-long parameters, ignores empty ones, lets resource repeat', () => {
    assert.match(refusal('scope=a&scope=b'), /'scope' is included more than once/);
    assert.match(refusal(`code=${'a'.repeat(MAX_PARAMETER_LENGTH + 1)}`), /'code' is too long/);
    const params = FormParams.parse('scope=&resource=https%3A%2F%2Fa.test&resource=https%3A%2F%2Fb.test');
    assert.equal(params.has('scope'), false);
    assert.deepEqual(params.getAll('resource'), ['https://a.test', 'https://b.test']);
  });
});
