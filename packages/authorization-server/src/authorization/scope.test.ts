import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantableScopes } from './scope.js';

describe('grantableScopes', () => {
  it('keeps the OpenID scopes and those the client registered, in request order', () => {
    const requested = ['orders:read', 'openid', 'admin', 'email', 'offline_access', 'orders:write'];
    assert.deepEqual(grantableScopes('orders:read', requested), [
      'orders:read',
      'openid',
      'email',
      'offline_access',
    ]);
  });

  it('drops every non-OpenID scope for a client without registered scopes', () => {
    assert.deepEqual(grantableScopes(undefined, ['openid', 'profile', 'roles', 'orders:read']), [
      'openid',
      'profile',
      'roles',
    ]);
  });
});
