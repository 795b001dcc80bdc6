/**
 * The one error type of Gatehouse's protocol surface. It carries an RFC error code, the HTTP
 * status that code maps to, a description that is safe to show the client, and a `detail` that
 * only ever reaches the logs.
 */

/** Error codes from RFC 6749 §5.2 and §4.1.2.1, RFC 7009, RFC 8628, RFC 8707, RFC 9449, RFC 6750. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'unsupported_response_type'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'account_selection_required'
  | 'invalid_request_uri'
  | 'invalid_request_object'
  | 'request_not_supported'
  | 'request_uri_not_supported';

// RFC 6749 §5.2: errors are 400 unless client authentication failed (401). RFC 6750 §3.1 gives
// 401 for invalid_token and 403 for insufficient_scope; RFC 7009 §2.2.1 uses 503 for
// temporarily_unavailable at revocation.
const statusByCode: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  unsupported_token_type: 400,
  unsupported_response_type: 400,
  access_denied: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  invalid_token: 401,
  insufficient_scope: 403,
  invalid_dpop_proof: 400,
  use_dpop_nonce: 400,
  authorization_pending: 400,
  slow_down: 400,
  expired_token: 400,
  login_required: 400,
  consent_required: 400,
  interaction_required: 400,
  account_selection_required: 400,
  invalid_request_uri: 400,
  invalid_request_object: 400,
  request_not_supported: 400,
  request_uri_not_supported: 400,
};

export interface OAuthErrorOptions {
  /** Overrides the status from the code table (e.g. 413 for an oversized body). */
  status?: number;
  /** For the logs only: never sent to the client. */
  detail?: string;
  /** Extra response headers, e.g. `WWW-Authenticate` or `DPoP-Nonce`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly description: string;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(`${code}: ${description}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.status = options.status ?? statusByCode[code];
    this.description = description;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }

  /** The RFC 6749 §5.2 JSON body. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

export function isOAuthError(value: unknown): value is OAuthError {
  return value instanceof OAuthError;
}

/** RFC 6749 §2.3.1 and STYLE: every failed client authentication reads the same to the client. */
export function invalidClient(detail: string, options: Omit<OAuthErrorOptions, 'detail'> = {}): OAuthError {
  return new OAuthError('invalid_client', 'client authentication failed', { ...options, detail });
}
