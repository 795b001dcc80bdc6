import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthError, sha256Base64Url } from '@gatehouse/core';
import { FormParams } from '../http/form-params.js';
import { readCodeChallenge, verifyCodeVerifier } from './pkce.js';

// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const params = (query: string) => FormParams.parse(query);
const oauthError = (code: string, description: string) => (error: unknown) => {
  assert.ok(error instanceof OAuthError);
  assert.deepEqual({ code: error.code, description: error.description }, { code, description });
  return true;
};

describe('readCodeChallenge', () => {
  it('reads an S256 challenge', () => {
    assert.deepEqual(readCodeChallenge(params(`code_challenge=${CHALLENGE}&code_challenge_method=S256`)), {
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
    });
  });

  it('requires code_challenge of every client (OAuth 2.1 §4.1.1)', () => {
    assert.throws(
      () => readCodeChallenge(params('code_challenge_method=S256')),
      oauthError('invalid_request', "missing required parameter 'code_challenge'"),
    );
  });

  it('refuses plain, an unknown method, and a missing method (which RFC 7636 §4.3 makes plain)', () => {
    for (const method of ['&code_challenge_method=plain', '&code_challenge_method=s256', '']) {
      assert.throws(
        () => readCodeChallenge(params(`code_challenge=${CHALLENGE}${method}`)),
        oauthError('invalid_request', 'code_challenge_method must be S256'),
      );
    }
  });

  it('refuses a challenge that is not 43 base64url characters', () => {
    for (const challenge of [
      CHALLENGE.slice(1),
      `${CHALLENGE}A`,
      `${CHALLENGE.slice(1)}=`,
      `${CHALLENGE.slice(1)}+`,
    ]) {
      assert.throws(
        () =>
          readCodeChallenge(
            params(`code_challenge=${encodeURIComponent(challenge)}&code_challenge_method=S256`),
          ),
        oauthError('invalid_request', 'code_challenge must be 43 base64url characters (RFC 7636 §4.2)'),
      );
    }
  });
});

describe('verifyCodeVerifier', () => {
  it('accepts the RFC 7636 Appendix B verifier for its challenge', () => {
    assert.doesNotThrow(() => verifyCodeVerifier(VERIFIER, CHALLENGE));
  });

  it('answers invalid_grant to a verifier of another challenge (RFC 7636 §4.6)', () => {
    assert.throws(
      () => verifyCodeVerifier(`${VERIFIER.slice(0, -1)}Y`, CHALLENGE),
      oauthError('invalid_grant', 'code_verifier does not match the code_challenge'),
    );
  });

  it('requires a code_verifier', () => {
    assert.throws(
      () => verifyCodeVerifier(undefined, CHALLENGE),
      oauthError('invalid_request', "missing required parameter 'code_verifier'"),
    );
  });

  it('refuses a verifier that is too short, too long or has other characters (RFC 7636 §4.1)', () => {
    for (const verifier of [
      'a'.repeat(42),
      'a'.repeat(129),
      `${VERIFIER.slice(1)}+`,
      `${VERIFIER.slice(1)} `,
    ]) {
      assert.throws(
        () => verifyCodeVerifier(verifier, CHALLENGE),
        oauthError(
          'invalid_request',
          'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)',
        ),
      );
    }
  });

  it('accepts verifiers of 43 and 128 characters of every unreserved kind', () => {
    for (const verifier of ['a'.repeat(43), `${'A0.-_~'.repeat(21)}zz`]) {
      assert.doesNotThrow(() => verifyCodeVerifier(verifier, sha256Base64Url(verifier)));
    }
  });
});
