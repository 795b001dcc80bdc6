import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeHtu } from './htu.js';

describe('normalizeHtu (RFC 9449 §4.3 item 9, RFC 3986 §6.2.2 and §6.2.3)', () => {
  it('drops query and fragment', () => {
    assert.equal(normalizeHtu('https://as.test/token?x=1#y'), 'https://as.test/token');
  });

  it('lowercases scheme and host, drops the default port and dot segments, gives "/" for an empty path', () => {
    assert.equal(normalizeHtu('HTTPS://AS.Test:443/a/./b/../token'), 'https://as.test/a/token');
    assert.equal(normalizeHtu('http://as.test:80'), 'http://as.test/');
    assert.equal(normalizeHtu('https://as.test:8443/token'), 'https://as.test:8443/token');
  });

  it('decodes percent-encoded unreserved characters and uppercases the other escapes', () => {
    assert.equal(normalizeHtu('https://as.test/%7Euser/%74oken%2f'), 'https://as.test/~user/token%2F');
  });

  it('keeps different paths and ports apart', () => {
    assert.notEqual(normalizeHtu('https://as.test/token'), normalizeHtu('https://as.test/token/'));
    assert.notEqual(normalizeHtu('https://as.test/token'), normalizeHtu('http://as.test/token'));
  });

  it('refuses what is not an absolute http(s) URL', () => {
    for (const value of ['/token', 'token', 'urn:x:y', 'javascript:alert(1)', '']) {
      assert.equal(normalizeHtu(value), undefined, value);
    }
  });
});
