import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AuthorizationClient,
  isInvalidRedirect,
  isLoopbackIpUri,
  resolveRedirectUri,
} from './redirect-uri.js';

function client(redirectUris: string[], applicationType: 'web' | 'native' = 'web'): AuthorizationClient {
  return {
    clientId: 'app',
    metadata: {
      grant_types: ['authorization_code'],
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'none',
      application_type: applicationType,
    },
  };
}

const refused = (description: string) => ({
  kind: 'invalid_redirect',
  error: 'invalid_request',
  description,
});

describe('resolveRedirectUri', () => {
  it('accepts a registered URI compared as an exact string', () => {
    const app = client(['https://app.example/cb', 'https://app.example/other?x=1']);
    assert.equal(resolveRedirectUri(app, 'https://app.example/other?x=1'), 'https://app.example/other?x=1');
  });

  it('refuses a URI that differs in any character, case, slash or query', () => {
    const app = client(['https://app.example/cb?x=1']);
    for (const requested of [
      'https://app.example/cb',
      'https://app.example/cb?x=1&y=2',
      'https://APP.example/cb?x=1',
      'https://app.example/cb/?x=1',
      'https://app.example:443/cb?x=1',
      'https://app.example/cb?x=1#frag',
      'https://app.example/%63b?x=1',
    ]) {
      assert.deepEqual(
        resolveRedirectUri(app, requested),
        refused('redirect_uri is not registered for this client'),
      );
    }
  });

  it('uses the one registered URI when the request names none (OAuth 2.1 §2.3.2)', () => {
    assert.equal(resolveRedirectUri(client(['https://app.example/cb']), undefined), 'https://app.example/cb');
  });

  it('requires redirect_uri when several are registered', () => {
    assert.deepEqual(
      resolveRedirectUri(client(['https://app.example/a', 'https://app.example/b']), undefined),
      refused("missing required parameter 'redirect_uri'"),
    );
  });

  it('refuses every request of a client with no registered URI', () => {
    assert.deepEqual(
      resolveRedirectUri(client([]), undefined),
      refused('the client has no registered redirect_uri'),
    );
    assert.deepEqual(
      resolveRedirectUri(client([]), 'https://app.example/cb'),
      refused('the client has no registered redirect_uri'),
    );
  });

  it('lets a native app use any port on a registered loopback IP URI (RFC 8252 §7.3)', () => {
    const app = client(['http://127.0.0.1/cb', 'http://[::1]:8000/cb?x=1'], 'native');
    assert.equal(resolveRedirectUri(app, 'http://127.0.0.1:51004/cb'), 'http://127.0.0.1:51004/cb');
    assert.equal(resolveRedirectUri(app, 'http://[::1]/cb?x=1'), 'http://[::1]/cb?x=1');
    assert.equal(resolveRedirectUri(app, 'http://[::1]:65535/cb?x=1'), 'http://[::1]:65535/cb?x=1');
  });

  it('still compares scheme, host, path and query of a loopback URI exactly', () => {
    const app = client(['http://127.0.0.1/cb'], 'native');
    for (const requested of [
      'http://127.0.0.1:5000/cb/',
      'http://127.0.0.1:5000/cb?x=1',
      'http://[::1]:5000/cb',
      'http://localhost:5000/cb',
      'https://127.0.0.1:5000/cb',
      'http://127.0.0.1:99999/cb',
      'http://127.0.0.1:0/cb',
      'http://127.0.0.1:80@evil.example/cb',
    ]) {
      assert.deepEqual(
        resolveRedirectUri(app, requested),
        refused('redirect_uri is not registered for this client'),
      );
    }
  });

  it('does not ignore the port for web clients', () => {
    const app = client(['http://127.0.0.1/cb']);
    assert.deepEqual(
      resolveRedirectUri(app, 'http://127.0.0.1:5000/cb'),
      refused('redirect_uri is not registered for this client'),
    );
  });

  it('marks refusals so the endpoint can tell them from a URI', () => {
    assert.equal(isInvalidRedirect(resolveRedirectUri(client([]), undefined)), true);
    assert.equal(isInvalidRedirect(resolveRedirectUri(client(['https://a.example/cb']), undefined)), false);
  });
});

describe('isLoopbackIpUri', () => {
  it('knows the IPv4 and IPv6 loopback literals over http, with or without a port', () => {
    assert.equal(isLoopbackIpUri('http://127.0.0.1/cb'), true);
    assert.equal(isLoopbackIpUri('http://127.0.0.1:8080'), true);
    assert.equal(isLoopbackIpUri('http://[::1]:8080/cb'), true);
    assert.equal(isLoopbackIpUri('http://localhost/cb'), false);
    assert.equal(isLoopbackIpUri('https://127.0.0.1/cb'), false);
    assert.equal(isLoopbackIpUri('http://127.0.0.2/cb'), false);
  });
});
