import type { ClientRecord, TokenKind, UserRecord } from './store.js';

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
