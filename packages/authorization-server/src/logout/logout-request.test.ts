import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postLogoutRedirect } from './logout-request.js';

describe('the post-logout redirect (RP-Initiated Logout §3)', () => {
  it('is the registered URI exactly when there is no state', () => {
    assert.equal(
      postLogoutRedirect('https://app.test/bye?x=a%20b', undefined),
      'https://app.test/bye?x=a%20b',
    );
  });

  it('adds state, encoded, keeping the registered query byte for byte', () => {
    assert.equal(
      postLogoutRedirect('https://app.test/bye', 'a b&c=d'),
      'https://app.test/bye?state=a%20b%26c%3Dd',
    );
    assert.equal(postLogoutRedirect('https://app.test/bye?x=a+b', 's'), 'https://app.test/bye?x=a+b&state=s');
    assert.equal(postLogoutRedirect('https://app.test/bye?', 's'), 'https://app.test/bye?state=s');
    assert.equal(postLogoutRedirect('https://app.test/bye?x=1&', 's'), 'https://app.test/bye?x=1&state=s');
    assert.equal(
      postLogoutRedirect('com.example.app:/signed-out', 's'),
      'com.example.app:/signed-out?state=s',
    );
  });
});
