import { OAuthError } from '@gatehouse/core';
import { resourceUriProblem } from '../config/semantics.js';
import { assertPushedIfRequired, isPushedRequestUri } from './par.js';
import { readCodeChallenge } from './pkce.js';
import {
  type AuthorizationClient,
  type InvalidRedirect,
  invalidRedirect,
  isInvalidRedirect,
  resolveRedirectUri,
  type ValidatedRedirectUri,
} from './redirect-uri.js';
import type { ParamsLike } from './request-params.js';
import { parseScope } from './scope.js';
import { parseUiLocales } from './ui-locales.js';

/** OpenID Connect Core §3.1.2.1 `prompt` values Gatehouse supports. */
export type Prompt = 'none' | 'login' | 'consent' | 'select_account';
export const PROMPTS: ReadonlySet<string> = new Set<Prompt>(['none', 'login', 'consent', 'select_account']);

/** The outcome of phase 1: a known client and a redirect URI errors may now be sent to. */
export interface ValidatedClientRedirect {
  client: AuthorizationClient;
  redirectUri: ValidatedRedirectUri;
  /** Echoed in every response from here on, errors included (RFC 6749 §4.1.2.1). */
  state: string | undefined;
}

/** A valid OAuth 2.1 authorization request (authorization code flow, PKCE S256). */
export interface AuthorizationRequest {
  clientId: string;
  responseType: 'code';
  redirectUri: ValidatedRedirectUri;
  /** Whether the request named its redirect_uri (not taken as the one registered). */
  redirectUriGiven: boolean;
  scope: string[];
  state: string | undefined;
  /** OpenID Connect Core §3.1.2.1: optional in the code flow; goes into the ID token. */
  nonce: string | undefined;
  prompt: ReadonlySet<Prompt>;
  /** Seconds since the person last signed in, beyond which they must sign in again. */
  maxAge: number | undefined;
  loginHint: string | undefined;
  uiLocales: string[];
  resource: string[];
  codeChallenge: string;
  codeChallengeMethod: 'S256';
  /** RFC 9449 §10: the code is bound to this DPoP key thumbprint. */
  dpopJkt: string | undefined;
  /** Whether the request came through PAR (RFC 9126). */
  pushed: boolean;
}

/**
 * Phase 1 of the authorization endpoint: the client and its redirect URI. Until both check out
 * an error must not be redirected (RFC 6749 §4.1.2.1: "the authorization server SHOULD inform
 * the resource owner of the error and MUST NOT automatically redirect the user-agent to the
 * invalid redirection URI"), so failures are an {@link InvalidRedirect} for an error page.
 *
 * @param client the client the store holds for `client_id`, if any.
 */
export function validateClientAndRedirect(
  params: ParamsLike,
  client: AuthorizationClient | undefined,
): ValidatedClientRedirect | InvalidRedirect {
  const clientId = params.get('client_id');
  if (clientId === undefined) return invalidRedirect("missing required parameter 'client_id'");
  if (client === undefined || client.clientId !== clientId) {
    return invalidRedirect('client_id is not known to this server');
  }
  const redirectUri = resolveRedirectUri(client, params.get('redirect_uri'));
  if (isInvalidRedirect(redirectUri)) return redirectUri;
  return { client, redirectUri, state: params.get('state') };
}

/**
 * Phase 2: everything else, once errors can be redirected (RFC 6749 §4.1.2.1). Throws an
 * OAuthError to send to the validated redirect URI with the request's `state`.
 *
 * `claims` (OpenID Connect Core §5.5) is ignored, not refused: support is optional, discovery
 * says `claims_parameter_supported: false`, and RFC 6749 §3.1 says "The authorization server
 * MUST ignore unrecognized request parameters". So are `display`, `acr_values`, `id_token_hint`.
 */
export function validateRequest(
  params: ParamsLike,
  validated: ValidatedClientRedirect,
  options: { pushed: boolean },
): AuthorizationRequest {
  const { client, redirectUri } = validated;
  assertNoRequestObject(params);
  assertResponseType(params);
  // RFC 6749 §4.1.2.1 unauthorized_client: "not authorized to request an authorization code".
  if (!client.metadata.grant_types.includes('authorization_code')) {
    throw new OAuthError('unauthorized_client', 'the client may not use the authorization code grant');
  }
  assertPushedIfRequired(client, options.pushed);
  const scope = parseScope(params.get('scope'));
  const redirectUriGiven = params.get('redirect_uri') !== undefined;
  // OpenID Connect Core §3.1.2.1: redirect_uri is REQUIRED in an OpenID request.
  if (scope.includes('openid') && !redirectUriGiven) {
    throw new OAuthError('invalid_request', "missing required parameter 'redirect_uri'");
  }
  const { codeChallenge, codeChallengeMethod } = readCodeChallenge(params);
  return {
    clientId: client.clientId,
    responseType: 'code',
    redirectUri,
    redirectUriGiven,
    scope,
    state: validated.state,
    nonce: params.get('nonce'),
    prompt: readPrompt(params.get('prompt')),
    maxAge: readMaxAge(params.get('max_age')),
    loginHint: params.get('login_hint'),
    uiLocales: parseUiLocales(params.get('ui_locales')),
    resource: readResources(params.getAll('resource')),
    codeChallenge,
    codeChallengeMethod,
    dpopJkt: readDpopJkt(params.get('dpop_jkt')),
    pushed: options.pushed,
  };
}

/** JAR (RFC 9101) is not supported; pushed requests are resolved before phase 1. */
function assertNoRequestObject(params: ParamsLike): void {
  // OpenID Connect Core §3.1.2.6: request_not_supported, request_uri_not_supported.
  if (params.get('request') !== undefined) {
    throw new OAuthError('request_not_supported', 'request objects are not supported');
  }
  const requestUri = params.get('request_uri');
  if (requestUri === undefined) return;
  if (isPushedRequestUri(requestUri)) {
    throw new OAuthError('invalid_request_uri', 'request_uri is invalid, expired or already used');
  }
  throw new OAuthError(
    'request_uri_not_supported',
    'request_uri must come from the pushed authorization request endpoint',
  );
}

/** OAuth 2.1 §4.1.1: response_type "REQUIRED. The authorization code flow uses `code`". */
function assertResponseType(params: ParamsLike): void {
  const responseType = params.get('response_type');
  if (responseType === undefined)
    throw new OAuthError('invalid_request', "missing required parameter 'response_type'");
  if (responseType !== 'code')
    throw new OAuthError('unsupported_response_type', 'response_type must be code');
  // OAuth 2.0 Multiple Response Type Encoding Practices §2.1: `query` is the default for code.
  const responseMode = params.get('response_mode');
  if (responseMode !== undefined && responseMode !== 'query') {
    throw new OAuthError('invalid_request', 'response_mode must be query');
  }
}

/** OpenID Connect Core §3.1.2.1: "If this parameter contains none with any other value, an error is returned." */
function readPrompt(value: string | undefined): ReadonlySet<Prompt> {
  const prompts = new Set<Prompt>();
  for (const prompt of value?.split(' ').filter(Boolean) ?? []) {
    if (!PROMPTS.has(prompt))
      throw new OAuthError('invalid_request', `prompt value '${prompt}' is not supported`);
    prompts.add(prompt as Prompt);
  }
  if (prompts.has('none') && prompts.size > 1) {
    throw new OAuthError('invalid_request', 'prompt none cannot be combined with other values');
  }
  return prompts;
}

/** OpenID Connect Core §3.1.2.1: max_age, "the allowable elapsed time in seconds". */
function readMaxAge(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(seconds))
    throw new OAuthError('invalid_request', 'max_age must be a non-negative integer');
  return seconds;
}

/** RFC 8707 §2: each resource an absolute URI without a fragment, else invalid_target. */
function readResources(values: string[]): string[] {
  for (const value of values) {
    const problem = resourceUriProblem(value);
    if (problem) throw new OAuthError('invalid_target', `resource ${problem}`);
  }
  return values;
}

/** RFC 9449 §10: dpop_jkt is the base64url JWK SHA-256 thumbprint (RFC 7638) of the DPoP key. */
function readDpopJkt(value: string | undefined): string | undefined {
  if (value !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(value)) {
    throw new OAuthError(
      'invalid_request',
      'dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 9449 §10)',
    );
  }
  return value;
}
