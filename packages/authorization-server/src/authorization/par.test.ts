import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthError } from '@gatehouse/core';
import { FormParams } from '../http/form-params.js';
import {
  assertPushedIfRequired,
  createPushedRequestUri,
  isPushedRequestUri,
  resolvePushedRequest,
  validatePushedRequest,
} from './par.js';
import type { AuthorizationClient } from './redirect-uri.js';

const oauthError = (code: string, description: string) => (error: unknown) => {
  assert.ok(error instanceof OAuthError);
  assert.deepEqual({ code: error.code, description: error.description }, { code, description });
  return true;
};
const params = (query: string) => FormParams.parse(query);

describe('validatePushedRequest (RFC 9126 §2.1)', () => {
  it('keeps the authorization parameters, naming the authenticated client', () => {
    assert.deepEqual(
      validatePushedRequest(params('response_type=code&scope=openid&client_secret=s3cret&state=xyz'), 'app'),
      { response_type: 'code', scope: 'openid', state: 'xyz', client_id: 'app' },
    );
  });

  it('refuses a request_uri inside a pushed request', () => {
    assert.throws(
      () => validatePushedRequest(params('client_id=app&request_uri=urn%3Ax'), 'app'),
      oauthError('invalid_request', 'request_uri must not be pushed (RFC 9126 §2.1)'),
    );
  });

  it('refuses a client_id other than the authenticated client', () => {
    assert.throws(
      () => validatePushedRequest(params('client_id=other'), 'app'),
      oauthError('invalid_request', 'client_id does not match the authenticated client'),
    );
  });

  it('refuses a request object', () => {
    assert.throws(
      () => validatePushedRequest(params('client_id=app&request=eyJhbGciOi.x.y'), 'app'),
      oauthError('request_not_supported', 'request objects are not supported'),
    );
  });
});

describe('createPushedRequestUri (RFC 9126 §2.2)', () => {
  it('makes a URN with 256 random bits that lives 60 seconds', () => {
    const issued = createPushedRequestUri(1000);
    assert.match(issued.requestUri, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
    assert.equal(issued.expiresIn, 60);
    assert.equal(issued.expiresAt, 1060);
    assert.notEqual(createPushedRequestUri(1000).requestUri, issued.requestUri);
    assert.equal(isPushedRequestUri(issued.requestUri), true);
    assert.equal(isPushedRequestUri('https://app.example/request.jwt'), false);
  });

  it('takes another lifetime', () => {
    assert.deepEqual(
      { ...createPushedRequestUri(1000, 30), requestUri: '' },
      { requestUri: '', expiresIn: 30, expiresAt: 1030 },
    );
  });
});

describe('resolvePushedRequest (RFC 9126 §4)', () => {
  const pushed = {
    clientId: 'app',
    params: { client_id: 'app', scope: 'openid', resource: ['https://a.example'] },
  };

  it('uses only the pushed parameters, ignoring the rest of the query', () => {
    const resolved = resolvePushedRequest(params('client_id=app&request_uri=urn%3Ax&scope=admin'), pushed);
    assert.ok(!('kind' in resolved));
    assert.equal(resolved.get('scope'), 'openid');
    assert.deepEqual(resolved.getAll('resource'), ['https://a.example']);
    assert.equal(resolved.get('request_uri'), undefined);
  });

  it('needs client_id beside request_uri', () => {
    assert.deepEqual(resolvePushedRequest(params('request_uri=urn%3Ax'), pushed), {
      kind: 'invalid_redirect',
      error: 'invalid_request',
      description: "missing required parameter 'client_id'",
    });
  });

  it('shows a page for an unknown, expired or used request_uri, or one of another client', () => {
    const expected = {
      kind: 'invalid_redirect',
      error: 'invalid_request_uri',
      description: 'request_uri is invalid, expired or already used',
    };
    assert.deepEqual(resolvePushedRequest(params('client_id=app&request_uri=urn%3Ax'), undefined), expected);
    assert.deepEqual(resolvePushedRequest(params('client_id=other&request_uri=urn%3Ax'), pushed), expected);
  });
});

describe('assertPushedIfRequired (RFC 9126 §6)', () => {
  const client = (required: boolean): AuthorizationClient => ({
    clientId: 'app',
    metadata: {
      grant_types: ['authorization_code'],
      redirect_uris: [],
      token_endpoint_auth_method: 'none',
      require_pushed_authorization_requests: required,
    },
  });

  it('refuses a request that was not pushed from a client that requires PAR', () => {
    assert.throws(
      () => assertPushedIfRequired(client(true), false),
      oauthError('invalid_request', 'this client must use pushed authorization requests (RFC 9126)'),
    );
  });

  it('lets the others through', () => {
    assert.doesNotThrow(() => assertPushedIfRequired(client(true), true));
    assert.doesNotThrow(() => assertPushedIfRequired(client(false), false));
  });
});
