import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthError } from '@gatehouse/core';
import { FormParams } from '../http/form-params.js';
import {
  type ValidatedClientRedirect,
  validateClientAndRedirect,
  validateRequest,
} from './authorization-request.js';
import type { AuthorizationClient } from './redirect-uri.js';

// RFC 7636 Appendix B.
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';

function client(metadata: Record<string, unknown> = {}): AuthorizationClient {
  return {
    clientId: 'app',
    metadata: {
      grant_types: ['authorization_code'],
      redirect_uris: ['https://app.example/cb', 'https://app.example/other'],
      token_endpoint_auth_method: 'none',
      ...metadata,
    },
  };
}

/** A valid request's parameters, with `extra` added or (as '') removed. */
function query(extra: Record<string, string> = {}): FormParams {
  const values: Record<string, string> = {
    response_type: 'code',
    client_id: 'app',
    redirect_uri: 'https://app.example/cb',
    scope: 'openid profile',
    state: 'af0ifjsldkj',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...extra,
  };
  return FormParams.parse(new URLSearchParams(values).toString());
}

function phaseOne(params: FormParams, registered = client()): ValidatedClientRedirect {
  const validated = validateClientAndRedirect(params, registered);
  assert.ok(!('kind' in validated), JSON.stringify(validated));
  return validated;
}
const validate = (extra: Record<string, string> = {}, registered = client(), pushed = false) => {
  const params = query(extra);
  return validateRequest(params, phaseOne(params, registered), { pushed });
};
const refusedWith = (code: string, description: string) => (error: unknown) => {
  assert.ok(error instanceof OAuthError, String(error));
  assert.deepEqual({ code: error.code, description: error.description }, { code, description });
  return true;
};
const page = (description: string) => ({ kind: 'invalid_redirect', error: 'invalid_request', description });

describe('validateClientAndRedirect (phase 1: errors shown as a page)', () => {
  it('gives the client, the redirect URI and the state', () => {
    const registered = client();
    assert.deepEqual(validateClientAndRedirect(query(), registered), {
      client: registered,
      redirectUri: 'https://app.example/cb',
      state: 'af0ifjsldkj',
    });
  });

  it('needs client_id', () => {
    assert.deepEqual(
      validateClientAndRedirect(query({ client_id: '' }), client()),
      page("missing required parameter 'client_id'"),
    );
  });

  it('refuses an unknown client, and a client record of another client_id', () => {
    assert.deepEqual(
      validateClientAndRedirect(query(), undefined),
      page('client_id is not known to this server'),
    );
    assert.deepEqual(
      validateClientAndRedirect(query({ client_id: 'other' }), client()),
      page('client_id is not known to this server'),
    );
  });

  it('refuses an unregistered redirect URI', () => {
    assert.deepEqual(
      validateClientAndRedirect(query({ redirect_uri: 'https://evil.example/cb' }), client()),
      page('redirect_uri is not registered for this client'),
    );
  });

  it('checks the client and redirect URI before anything else', () => {
    assert.deepEqual(
      validateClientAndRedirect(
        query({ response_type: 'token', redirect_uri: 'https://evil.example/' }),
        client(),
      ),
      page('redirect_uri is not registered for this client'),
    );
  });
});

describe('validateRequest (phase 2: errors redirected)', () => {
  it('reads a valid request into the domain shape', () => {
    const request = validate({
      nonce: 'n-0S6_WzA2Mj',
      prompt: 'login consent',
      max_age: '0',
      login_hint: 'alice@example.com',
      ui_locales: 'fr-CA fr en',
      resource: 'https://api.example.com',
      dpop_jkt: JKT,
      claims: '{"userinfo":{"email":null}}',
    });
    assert.deepEqual(request, {
      clientId: 'app',
      responseType: 'code',
      redirectUri: 'https://app.example/cb',
      redirectUriGiven: true,
      scope: ['openid', 'profile'],
      state: 'af0ifjsldkj',
      nonce: 'n-0S6_WzA2Mj',
      prompt: new Set(['login', 'consent']),
      maxAge: 0,
      loginHint: 'alice@example.com',
      uiLocales: ['fr-CA', 'fr', 'en'],
      resource: ['https://api.example.com'],
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
      dpopJkt: JKT,
      pushed: false,
    });
  });

  it('leaves the optional parameters unset', () => {
    const request = validate({ scope: '', state: '' });
    assert.deepEqual(
      [request.scope, request.state, request.nonce, request.prompt.size, request.maxAge, request.uiLocales],
      [[], undefined, undefined, 0, undefined, []],
    );
    assert.deepEqual([request.loginHint, request.resource, request.dpopJkt], [undefined, [], undefined]);
  });

  it('keeps ui_locales in order and drops malformed tags instead of refusing (OIDC Core §3.1.2.1)', () => {
    assert.deepEqual(validate({ ui_locales: 'de-CH  x_y! EN' }).uiLocales, ['de-CH', 'EN']);
  });

  it('takes the one registered redirect URI of a non-OpenID request that names none', () => {
    const request = validate(
      { redirect_uri: '', scope: 'orders:read' },
      client({ redirect_uris: ['https://app.example/cb'] }),
    );
    assert.equal(request.redirectUri, 'https://app.example/cb');
    assert.equal(request.redirectUriGiven, false);
  });

  it('requires redirect_uri in an OpenID request (OpenID Connect Core §3.1.2.1)', () => {
    assert.throws(
      () => validate({ redirect_uri: '' }, client({ redirect_uris: ['https://app.example/cb'] })),
      refusedWith('invalid_request', "missing required parameter 'redirect_uri'"),
    );
  });

  it('refuses a request object', () => {
    assert.throws(
      () => validate({ request: 'eyJhbGciOiJub25lIn0.e30.' }),
      refusedWith('request_not_supported', 'request objects are not supported'),
    );
  });

  it('refuses a request_uri not issued by the PAR endpoint', () => {
    assert.throws(
      () => validate({ request_uri: 'https://app.example/request.jwt' }),
      refusedWith(
        'request_uri_not_supported',
        'request_uri must come from the pushed authorization request endpoint',
      ),
    );
  });

  it('refuses a PAR request_uri left unresolved', () => {
    assert.throws(
      () => validate({ request_uri: 'urn:ietf:params:oauth:request_uri:abc' }),
      refusedWith('invalid_request_uri', 'request_uri is invalid, expired or already used'),
    );
  });

  it('needs response_type', () => {
    assert.throws(
      () => validate({ response_type: '' }),
      refusedWith('invalid_request', "missing required parameter 'response_type'"),
    );
  });

  it('answers unsupported_response_type to anything but code (no implicit, no hybrid)', () => {
    for (const responseType of ['token', 'code id_token', 'id_token']) {
      assert.throws(
        () => validate({ response_type: responseType }),
        refusedWith('unsupported_response_type', 'response_type must be code'),
      );
    }
  });

  it('refuses a response_mode other than query', () => {
    assert.doesNotThrow(() => validate({ response_mode: 'query' }));
    assert.throws(
      () => validate({ response_mode: 'fragment' }),
      refusedWith('invalid_request', 'response_mode must be query'),
    );
  });

  it('answers unauthorized_client to a client without the authorization code grant', () => {
    assert.throws(
      () => validate({}, client({ grant_types: ['client_credentials'] })),
      refusedWith('unauthorized_client', 'the client may not use the authorization code grant'),
    );
  });

  it('refuses a request that was not pushed from a client that requires PAR', () => {
    const parOnly = client({ require_pushed_authorization_requests: true });
    assert.throws(
      () => validate({}, parOnly),
      refusedWith('invalid_request', 'this client must use pushed authorization requests (RFC 9126)'),
    );
    assert.equal(validate({}, parOnly, true).pushed, true);
  });

  it('refuses a malformed scope', () => {
    assert.throws(
      () => validate({ scope: 'openid  profile' }),
      refusedWith('invalid_scope', 'scope is malformed (RFC 6749 §3.3)'),
    );
  });

  it('requires PKCE', () => {
    assert.throws(
      () => validate({ code_challenge: '' }),
      refusedWith('invalid_request', "missing required parameter 'code_challenge'"),
    );
    assert.throws(
      () => validate({ code_challenge_method: '' }),
      refusedWith('invalid_request', 'code_challenge_method must be S256'),
    );
  });

  it('refuses an unknown prompt value', () => {
    assert.throws(
      () => validate({ prompt: 'create' }),
      refusedWith('invalid_request', "prompt value 'create' is not supported"),
    );
  });

  it('refuses prompt none with any other value (OpenID Connect Core §3.1.2.1)', () => {
    assert.deepEqual(validate({ prompt: 'none' }).prompt, new Set(['none']));
    assert.throws(
      () => validate({ prompt: 'none login' }),
      refusedWith('invalid_request', 'prompt none cannot be combined with other values'),
    );
  });

  it('refuses a max_age that is not a non-negative integer', () => {
    assert.equal(validate({ max_age: '3600' }).maxAge, 3600);
    for (const maxAge of ['-1', '1.5', 'ten', '1e3', '99999999999', ' 1']) {
      assert.throws(
        () => validate({ max_age: maxAge }),
        refusedWith('invalid_request', 'max_age must be a non-negative integer'),
      );
    }
  });

  it('refuses a resource that is not an absolute URI without a fragment (RFC 8707 §2)', () => {
    assert.throws(
      () => validate({ resource: '/orders' }),
      refusedWith('invalid_target', "resource '/orders' is not an absolute URI"),
    );
    assert.throws(
      () => validate({ resource: 'https://api.example.com/#x' }),
      refusedWith('invalid_target', 'resource must not contain a fragment (RFC 8707 §2)'),
    );
  });

  it('refuses a dpop_jkt that is not a SHA-256 thumbprint (RFC 9449 §10)', () => {
    assert.throws(
      () => validate({ dpop_jkt: 'not-a-thumbprint' }),
      refusedWith('invalid_request', 'dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 9449 §10)'),
    );
  });
});
