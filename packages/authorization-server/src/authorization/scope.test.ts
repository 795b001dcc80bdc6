import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantableScopes } from './scope.js';

describe('grantableScopes', () => {
  it('keeps every OpenID scope and the API scopes the client registered, in request order', () => {
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

  it('keeps only the OpenID scopes the client registered once it registers one', () => {
    const requested = ['openid', 'profile', 'email', 'roles', 'offline_access', 'orders:read'];
    assert.deepEqual(grantableScopes('openid email orders:read', requested), [
      'openid',
      'email',
      'orders:read',
    ]);
  });

  it('grants offline_access only to a client that registered it, when it limits OpenID scopes', () => {
    assert.deepEqual(grantableScopes('openid offline_access', ['openid', 'offline_access', 'profile']), [
      'openid',
      'offline_access',
    ]);
  });
});
