import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOAuthError } from '@gatehouse/core';
import { FormParams } from '../http/form-params.js';
import { BASIC_CHALLENGE, readPresentedCredentials } from './presented-credentials.js';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

function refusedWithChallenge(authorization: string): void {
  assert.throws(
    () => readPresentedCredentials(authorization, FormParams.empty()),
    (error: unknown) => {
      assert.ok(isOAuthError(error));
      assert.equal(error.code, 'invalid_client');
      assert.equal(error.status, 401);
      assert.deepEqual(error.headers, BASIC_CHALLENGE);
      return true;
    },
    authorization,
  );
}

describe('presented client credentials', () => {
  it('reads Basic credentials, each part form-urlencoded (RFC 6749 §2.3.1)', () => {
    assert.deepEqual(readPresentedCredentials(basic('my%20app:s%3Acret+x'), FormParams.empty()), {
      method: 'client_secret_basic',
      clientId: 'my app',
      secret: 's:cret x',
    });
  });

  it('answers a malformed Basic attempt, "Basic" alone included, with 401 and the Basic challenge (§5.2)', () => {
    for (const header of [
      'Basic',
      'basic',
      'Basic !!!',
      basic('no-colon'),
      basic(':secret'),
      basic('%ZZ:x'),
      basic('a%00b:x'),
      basic('a\0b:x'),
      basic('a:%00'),
    ]) {
      refusedWithChallenge(header);
    }
  });

  it('ignores other schemes, so a request without credentials is just that', () => {
    assert.equal(readPresentedCredentials('Bearer abc', FormParams.empty()), undefined);
    assert.equal(readPresentedCredentials('Basicx', FormParams.empty()), undefined);
  });
});
