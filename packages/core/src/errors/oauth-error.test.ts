import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalidClient, OAuthError } from './oauth-error.js';

describe('OAuthError', () => {
  it('maps each RFC code to its status', () => {
    assert.equal(new OAuthError('invalid_request', 'x').status, 400);
    assert.equal(new OAuthError('invalid_client', 'x').status, 401);
    assert.equal(new OAuthError('insufficient_scope', 'x').status, 403);
    assert.equal(new OAuthError('server_error', 'x').status, 500);
  });

  it('lets a caller override the status and keeps detail out of the JSON body', () => {
    const error = new OAuthError('invalid_request', 'request body too large', {
      status: 413,
      detail: 'secret',
    });
    assert.equal(error.status, 413);
    assert.deepEqual(error.toJSON(), {
      error: 'invalid_request',
      error_description: 'request body too large',
    });
    assert.ok(!JSON.stringify(error.toJSON()).includes('secret'));
  });

  it('gives every failed client authentication the same description', () => {
    const a = invalidClient('unknown client');
    const b = invalidClient('wrong secret');
    assert.equal(a.description, b.description);
    assert.equal(a.description, 'client authentication failed');
    assert.notEqual(a.detail, b.detail);
  });
});
