import type { ClientRecord, DeviceAuthorizationStatus, TokenKind, UserRecord } from './store.js';

/**
 * Row shapes as the database holds them (snake_case columns). Times are integer seconds
 * (bigint in PostgreSQL, read back as numbers); JSON-shaped fields are stored as text in both
 * dialects so that one migration set serves both and a round trip is byte-for-byte.
 */
export interface Database {
  clients: ClientsTable;
  tokens: TokensTable;
  revoked_jwts: RevokedJwtsTable;
  replay: ReplayTable;
  signing_keys: SigningKeysTable;
  users: UsersTable;
  login_attempts: LoginAttemptsTable;
  sessions: SessionsTable;
  grants: GrantsTable;
  authorization_codes: AuthorizationCodesTable;
  pushed_requests: PushedRequestsTable;
  device_authorizations: DeviceAuthorizationsTable;
  session_clients: SessionClientsTable;
}

export interface ClientsTable {
  client_id: string;
  secret_digest: string | null;
  /** JSON: ClientMetadata. */
  metadata: string;
  source: ClientRecord['source'];
  created_at: number;
  updated_at: number;
}

export interface TokensTable {
  digest: string;
  kind: TokenKind;
  jti: string;
  client_id: string;
  subject: string;
  scope: string;
  /** JSON: string[]. */
  audience: string;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** JSON object or null. */
  confirmation: string | null;
  /** JSON object. */
  extra: string;
  family_id: string | null;
  session_id: string | null;
  grant_id: string | null;
  parent_digest: string | null;
  rotated_at: number | null;
  /** 0 or 1. */
  offline: number;
  format: 'opaque' | 'jwt';
}

export interface RevokedJwtsTable {
  jti: string;
  expires_at: number;
}

export interface ReplayTable {
  namespace: string;
  key: string;
  expires_at: number;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** JSON: the public JWK. */
  public_jwk: string;
  private_key_jwe: string;
  created_at: number;
  activates_at: number;
}

export interface UsersTable {
  id: string;
  username: string;
  /** normalizeUsername(username): the unique lookup key. */
  username_key: string;
  email: string | null;
  /** normalizeEmail(email): unique when not null. */
  email_key: string | null;
  /** 0 or 1: neither dialect's boolean round-trips the same through one migration. */
  email_verified: number;
  name: string | null;
  /** JSON: string[]. */
  roles: string;
  /** JSON: string[]. */
  groups: string;
  status: UserRecord['status'];
  password_hash: string | null;
  source: UserRecord['source'];
  created_at: number;
  updated_at: number;
}

export interface LoginAttemptsTable {
  key: string;
  failures: number;
  first_failure_at: number;
  last_failure_at: number;
  expires_at: number;
}

export interface SessionsTable {
  id: string;
  sid: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  auth_time: number;
  /** JSON: string[]. */
  amr: string;
  acr: string | null;
  ended_at: number | null;
  end_reason: string | null;
  user_agent: string | null;
  address: string | null;
}

/** The clients a session signed in to (Back-Channel Logout), one row per session and client. */
export interface SessionClientsTable {
  session_id: string;
  client_id: string;
  first_seen_at: number;
}

export interface GrantsTable {
  id: string;
  user_id: string;
  client_id: string;
  /** JSON: string[]. */
  scopes: string;
  /** JSON: string[]. */
  resources: string;
  /** JSON object or null. */
  claims: string | null;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
}

export interface AuthorizationCodesTable {
  digest: string;
  client_id: string;
  user_id: string;
  session_id: string | null;
  grant_id: string | null;
  redirect_uri: string;
  scope: string;
  /** JSON: string[]. */
  resource: string;
  nonce: string | null;
  code_challenge: string;
  code_challenge_method: 'S256';
  auth_time: number;
  /** JSON: string[]. */
  amr: string;
  acr: string | null;
  dpop_jkt: string | null;
  issued_at: number;
  expires_at: number;
  consumed_at: number | null;
  /** JSON object. */
  extra: string;
}

export interface PushedRequestsTable {
  digest: string;
  client_id: string;
  /** JSON: Record<string, string | string[]>. */
  params: string;
  expires_at: number;
  consumed_at: number | null;
}

export interface DeviceAuthorizationsTable {
  device_code_digest: string;
  user_code_digest: string;
  client_id: string;
  /** JSON: string[]. */
  scopes: string;
  /** JSON: string[]. */
  resources: string;
  status: DeviceAuthorizationStatus;
  poll_interval: number;
  last_polled_at: number | null;
  created_at: number;
  expires_at: number;
  user_agent: string | null;
  address: string | null;
  user_id: string | null;
  session_id: string | null;
  grant_id: string | null;
  /** JSON: string[] or null. */
  approved_scopes: string | null;
  auth_time: number | null;
  /** JSON: string[] or null. */
  amr: string | null;
  acr: string | null;
  decided_at: number | null;
  consumed_at: number | null;
}
