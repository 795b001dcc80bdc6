import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthError } from '@gatehouse/core';
import { buildErrorRedirect, buildSuccessRedirect, type ResponseTarget } from './authorization-response.js';
import { type AuthorizationClient, resolveRedirectUri, type ValidatedRedirectUri } from './redirect-uri.js';

const ISSUER = 'https://id.example.com';

/** A target through the real check, as the endpoint gets one. */
function target(uri: string, ...stateArg: [string | undefined] | []): ResponseTarget {
  const state = stateArg.length === 0 ? 'xyz' : stateArg[0];
  const client: AuthorizationClient = {
    clientId: 'app',
    metadata: {
      grant_types: ['authorization_code'],
      redirect_uris: [uri],
      token_endpoint_auth_method: 'none',
    },
  };
  const redirectUri = resolveRedirectUri(client, uri);
  assert.equal(typeof redirectUri, 'string');
  return { redirectUri: redirectUri as ValidatedRedirectUri, state };
}

describe('buildSuccessRedirect', () => {
  it('adds code, state and iss (RFC 6749 §4.1.2, RFC 9207 §2)', () => {
    assert.equal(
      buildSuccessRedirect(target('https://app.example/cb'), 'SplxlOBeZQQYbYS6WxSbIA', ISSUER),
      'https://app.example/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&iss=https%3A%2F%2Fid.example.com',
    );
  });

  it('leaves state out when the request had none', () => {
    assert.equal(
      buildSuccessRedirect(target('https://app.example/cb', undefined), 'abc', ISSUER),
      'https://app.example/cb?code=abc&iss=https%3A%2F%2Fid.example.com',
    );
  });

  it('keeps the registered query exactly as written (RFC 6749 §3.1.2)', () => {
    assert.equal(
      buildSuccessRedirect(target('https://app.example/cb?tenant=a%20b&x'), 'abc', ISSUER),
      'https://app.example/cb?tenant=a%20b&x&code=abc&state=xyz&iss=https%3A%2F%2Fid.example.com',
    );
    assert.equal(
      buildSuccessRedirect(target('https://app.example/cb?'), 'abc', ISSUER),
      'https://app.example/cb?code=abc&state=xyz&iss=https%3A%2F%2Fid.example.com',
    );
  });

  it('works with a native app’s private-use scheme', () => {
    assert.equal(
      buildSuccessRedirect(target('com.example.app:/oauth2'), 'abc', ISSUER),
      'com.example.app:/oauth2?code=abc&state=xyz&iss=https%3A%2F%2Fid.example.com',
    );
  });

  it('encodes a state that needs it', () => {
    assert.equal(
      buildSuccessRedirect(target('https://app.example/cb', 'a&b=c d'), 'abc', ISSUER),
      'https://app.example/cb?code=abc&state=a%26b%3Dc+d&iss=https%3A%2F%2Fid.example.com',
    );
  });

  it('puts the query before a fragment that slipped through', () => {
    assert.equal(
      buildSuccessRedirect(target('https://app.example/cb#top'), 'abc', ISSUER),
      'https://app.example/cb?code=abc&state=xyz&iss=https%3A%2F%2Fid.example.com#top',
    );
  });
});

describe('buildErrorRedirect', () => {
  it('adds error, error_description, state and iss (RFC 6749 §4.1.2.1, RFC 9207 §2)', () => {
    const error = new OAuthError('invalid_request', 'code_challenge_method must be S256', {
      detail: 'log only',
    });
    assert.equal(
      buildErrorRedirect(target('https://app.example/cb?x=1'), error, ISSUER),
      'https://app.example/cb?x=1&error=invalid_request&error_description=code_challenge_method+must+be+S256' +
        '&state=xyz&iss=https%3A%2F%2Fid.example.com',
    );
  });

  it('leaves state out when the request had none, and never sends the detail', () => {
    const url = buildErrorRedirect(
      target('https://app.example/cb', undefined),
      new OAuthError('access_denied', 'the person declined', { detail: 'secret reason' }),
      ISSUER,
    );
    assert.equal(
      url,
      'https://app.example/cb?error=access_denied&error_description=the+person+declined&iss=https%3A%2F%2Fid.example.com',
    );
  });

  it('accepts only a validated redirect URI', () => {
    const unchecked = { redirectUri: 'https://evil.example/', state: undefined };
    // @ts-expect-error a plain string is not a ValidatedRedirectUri
    assert.ok(buildErrorRedirect(unchecked, new OAuthError('invalid_request', 'x'), ISSUER));
  });
});
