import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeScope } from './scope-descriptions.js';

describe('describeScope', () => {
  it('describes the OpenID Connect scopes in plain words', () => {
    assert.equal(describeScope('openid').title, 'Know who you are');
    assert.equal(describeScope('profile').title, 'See your profile');
    assert.equal(describeScope('email').title, 'See your email address');
    assert.equal(describeScope('offline_access').title, 'Stay connected');
    assert.equal(describeScope('roles').title, 'See your roles and groups');
  });

  it("uses an API's own description of its scopes", () => {
    assert.deepEqual(describeScope('orders:read', { 'orders:read': 'Read your orders' }), {
      title: 'Read your orders',
      detail: 'Permission “orders:read”.',
    });
  });

  it('names an undescribed scope rather than hiding it, even one named like an Object property', () => {
    assert.equal(describeScope('orders:write').title, 'Use the permission “orders:write”');
    assert.equal(describeScope('constructor').title, 'Use the permission “constructor”');
    assert.equal(describeScope('toString', {}).title, 'Use the permission “toString”');
  });
});
