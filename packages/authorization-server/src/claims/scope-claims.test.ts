import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserRecord } from '@gatehouse/store';
import { claimsForUser, SUPPORTED_CLAIMS } from './scope-claims.js';

function testUser(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: 'u-7f3a',
    username: 'Alice',
    email: 'alice@example.test',
    emailVerified: true,
    name: 'Alice Liddell',
    roles: ['admin'],
    groups: ['staff', 'ops'],
    status: 'active',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    source: 'admin',
    createdAt: 1_700_000_000,
    updatedAt: 1_700_000_500,
    ...overrides,
  };
}

describe('claimsForUser', () => {
  const user = testUser();
  const matrix: [string[], Record<string, unknown>][] = [
    [['openid'], { sub: 'u-7f3a' }],
    [
      ['openid', 'profile'],
      { sub: 'u-7f3a', name: 'Alice Liddell', preferred_username: 'Alice', updated_at: 1_700_000_500 },
    ],
    [['openid', 'email'], { sub: 'u-7f3a', email: 'alice@example.test', email_verified: true }],
    [['openid', 'roles'], { sub: 'u-7f3a', roles: ['admin'], groups: ['staff', 'ops'] }],
    [
      ['openid', 'profile', 'email', 'roles', 'offline_access', 'orders:read'],
      {
        sub: 'u-7f3a',
        name: 'Alice Liddell',
        preferred_username: 'Alice',
        updated_at: 1_700_000_500,
        email: 'alice@example.test',
        email_verified: true,
        roles: ['admin'],
        groups: ['staff', 'ops'],
      },
    ],
  ];
  for (const [scopes, expected] of matrix) {
    it(`releases exactly the claims of scope "${scopes.join(' ')}"`, () => {
      assert.deepEqual(claimsForUser(user, scopes), expected);
    });
  }

  it('always includes sub, the stable user id, even with no scope', () => {
    assert.deepEqual(claimsForUser(user, []), { sub: 'u-7f3a' });
  });

  it('omits claims the user has no value for', () => {
    const bare = testUser({ name: null, email: null, emailVerified: true, roles: [], groups: [] });
    assert.deepEqual(claimsForUser(bare, ['profile', 'email', 'roles']), {
      sub: 'u-7f3a',
      preferred_username: 'Alice',
      updated_at: 1_700_000_500,
    });
  });

  it('sends email_verified false as a value, not as a missing claim', () => {
    const claims = claimsForUser(testUser({ emailVerified: false }), ['email']);
    assert.equal(claims.email_verified, false);
  });

  it('returns copies of roles and groups, not the record arrays', () => {
    const claims = claimsForUser(user, ['roles']);
    claims.roles!.push('root');
    assert.deepEqual(user.roles, ['admin']);
  });
});

describe('SUPPORTED_CLAIMS', () => {
  it('lists each claim a scope can release once, for discovery', () => {
    assert.deepEqual(SUPPORTED_CLAIMS, [
      'name',
      'preferred_username',
      'updated_at',
      'email',
      'email_verified',
      'roles',
      'groups',
    ]);
  });
});
