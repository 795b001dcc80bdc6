import { constantTimeEqual, OAuthError, sha256Base64Url } from '@gatehouse/core';
import type { ParamsLike } from './request-params.js';

export interface CodeChallenge {
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 32 bytes, 43 characters without padding.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
// RFC 7636 §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * Reads the PKCE parameters of an authorization request.
 *
 * OAuth 2.1 §4.1.1: clients "MUST use code_challenge and code_challenge_method"; Gatehouse
 * requires PKCE of every client. RFC 7636 §4.3: without code_challenge_method the method
 * "defaults to plain", which OAuth 2.1 §4.1.1 and RFC 9700 §2.1.1 advise against, so an absent
 * method is refused like `plain`: only `S256` is accepted.
 */
export function readCodeChallenge(params: ParamsLike): CodeChallenge {
  const codeChallenge = params.get('code_challenge');
  if (codeChallenge === undefined) {
    throw new OAuthError('invalid_request', "missing required parameter 'code_challenge'");
  }
  if (params.get('code_challenge_method') !== 'S256') {
    throw new OAuthError('invalid_request', 'code_challenge_method must be S256');
  }
  if (!S256_CHALLENGE.test(codeChallenge)) {
    throw new OAuthError('invalid_request', 'code_challenge must be 43 base64url characters (RFC 7636 §4.2)');
  }
  return { codeChallenge, codeChallengeMethod: 'S256' };
}

/**
 * Checks the token request's `code_verifier` against the stored challenge (RFC 7636 §4.6:
 * BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge, else invalid_grant).
 * Compared in constant time, so a guess learns nothing from the response time.
 */
export function verifyCodeVerifier(verifier: string | undefined, challenge: string): void {
  if (verifier === undefined) {
    throw new OAuthError('invalid_request', "missing required parameter 'code_verifier'");
  }
  if (!CODE_VERIFIER.test(verifier)) {
    throw new OAuthError(
      'invalid_request',
      'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)',
    );
  }
  if (!constantTimeEqual(sha256Base64Url(verifier), challenge)) {
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
  }
}
