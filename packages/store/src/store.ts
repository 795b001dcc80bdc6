/**
 * The persistence port of Gatehouse: one interface per aggregate, implemented once through
 * Kysely for every dialect (SQLite embedded, PostgreSQL scale-out).
 *
 * Conventions:
 * - Times are whole seconds since the epoch (`number`).
 * - Bearer secrets never appear here: rows are keyed by a keyed digest of the secret.
 * - JSON-shaped columns are typed objects here; each dialect decides how to store them.
 *
 * @example
 * ```ts
 * const store = await openStore({ kind: 'sqlite', file: './data/gatehouse.db' });
 * await store.migrate();
 * const client = await store.clients.find('billing-service');
 * await store.close();
 * ```
 */

/** RFC 7591 client metadata as Gatehouse keeps it (wire spelling, since it is a wire document). */
export interface ClientMetadata {
  client_name?: string;
  grant_types: string[];
  redirect_uris: string[];
  token_endpoint_auth_method: string;
  token_endpoint_auth_signing_alg?: string;
  scope?: string;
  jwks?: { keys: Record<string, unknown>[] };
  jwks_uri?: string;
  /** Any further RFC 7591 / OIDC registration fields are kept as given. */
  [field: string]: unknown;
}

export interface ClientRecord {
  clientId: string;
  /** Keyed digest of the client secret, or null for clients that do not use one. */
  secretDigest: string | null;
  metadata: ClientMetadata;
  /** 'config' clients are re-synced from gatehouse.yaml at every start; 'admin' ones are not. */
  source: 'config' | 'admin';
  createdAt: number;
  updatedAt: number;
}

export interface ClientStore {
  find(clientId: string): Promise<ClientRecord | undefined>;
  list(): Promise<ClientRecord[]>;
  /** Inserts or replaces the client with this id. */
  upsert(record: ClientRecord): Promise<void>;
  /** Returns false when there was no such client. */
  remove(clientId: string): Promise<boolean>;
}

export type TokenKind = 'access_token' | 'refresh_token';

export interface TokenRecord {
  /** Keyed digest of the opaque token: the primary key. */
  digest: string;
  kind: TokenKind;
  /** A public identifier for logs, audit and the JWT denylist; never usable as a credential. */
  jti: string;
  clientId: string;
  subject: string;
  scope: string;
  audience: string[];
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** Confirmation claim (RFC 8705 / RFC 9449), e.g. `{ jkt }` or `{ 'x5t#S256' }`. */
  confirmation: Record<string, string> | null;
  /** Grant-specific data kept with the token (e.g. the grant or session it came from). */
  extra: Record<string, unknown>;
}

export interface TokenStore {
  /**
   * Stores a newly issued token. Resolves only once the row is durable; implementations may
   * commit many concurrent inserts in one transaction.
   */
  insert(record: TokenRecord): Promise<void>;
  findByDigest(digest: string): Promise<TokenRecord | undefined>;
  /**
   * Marks the token revoked; returns false when there was no live token with that digest.
   * "Live" means not yet revoked: an expired row can still be marked, so that two concurrent
   * callers (refresh token rotation) get exactly one true between them.
   */
  revoke(digest: string, at: number): Promise<boolean>;
  /** Deletes rows that expired before `before`; returns how many went. */
  deleteExpired(before: number): Promise<number>;
}

/** Revoked JWT access tokens by `jti`, kept until the token would have expired anyway. */
export interface RevokedJwtStore {
  add(jti: string, expiresAt: number): Promise<void>;
  has(jti: string): Promise<boolean>;
  deleteExpired(before: number): Promise<number>;
}

/**
 * One-time values (`jti` of client assertions, DPoP proofs): the store is the replay cache so
 * that it holds across nodes.
 */
export interface ReplayStore {
  /**
   * Records `key` in `namespace` until `expiresAt`. Resolves true the first time, false if it
   * was already recorded and has not expired. Must be atomic across concurrent callers.
   */
  useOnce(namespace: string, key: string, expiresAt: number): Promise<boolean>;
  deleteExpired(before: number): Promise<number>;
}

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** The public JWK (with kid, alg, use). */
  publicJwk: Record<string, unknown>;
  /** The private key as a JWE (compact, `dir` + A256GCM) under the master key. */
  privateKeyJwe: string;
  createdAt: number;
  /** When the key starts signing. Before then it is published only. */
  activatesAt: number;
}

export interface SigningKeyStore {
  /** All keys, ordered by activatesAt ascending. */
  list(): Promise<SigningKeyRecord[]>;
  insert(record: SigningKeyRecord): Promise<void>;
  remove(kid: string): Promise<boolean>;
}

export type UserStatus = 'active' | 'disabled';

/** A person who can sign in. Never carries a password, only its argon2id hash. */
export interface UserRecord {
  /** Opaque, stable and never reused: the `sub` of every token issued to this user. */
  id: string;
  /**
   * As the user or admin typed it, for display. Unique regardless of case: the store also keeps
   * `normalizeUsername(username)` and looks users up by that.
   */
  username: string;
  /** Unique when present, compared as `normalizeEmail(email)`. */
  email: string | null;
  emailVerified: boolean;
  /** Full name for display and the OIDC `name` claim. */
  name: string | null;
  roles: string[];
  groups: string[];
  status: UserStatus;
  /** argon2id in PHC string form; null when the user cannot sign in with a password. */
  passwordHash: string | null;
  /** 'config' users are re-synced from gatehouse.yaml at every start; 'admin' ones are not. */
  source: 'config' | 'admin';
  createdAt: number;
  updatedAt: number;
}

/** Fields `UserStore.update` may change; `id` and `createdAt` never change. */
export type UserChanges = Partial<Omit<UserRecord, 'id' | 'createdAt' | 'updatedAt'>> & {
  updatedAt: number;
};

/**
 * Users, looked up case-insensitively by username or email.
 *
 * @example
 * ```ts
 * const user = await store.users.findByUsername('Alice'); // finds 'alice' too
 * if (user) await store.users.setStatus(user.id, 'disabled', now);
 * ```
 */
export interface UserStore {
  findById(id: string): Promise<UserRecord | undefined>;
  /** Matches `normalizeUsername(username)`, so any case (and full-width forms) find the user. */
  findByUsername(username: string): Promise<UserRecord | undefined>;
  /** Matches `normalizeEmail(email)`. */
  findByEmail(email: string): Promise<UserRecord | undefined>;
  /** Every user, ordered by normalized username. */
  list(): Promise<UserRecord[]>;
  /** Throws DuplicateUserError when the id, username or email is taken. */
  insert(record: UserRecord): Promise<void>;
  /**
   * Applies `changes` and returns the updated user, or undefined when there is no such user.
   * Throws DuplicateUserError when the new username or email belongs to another user.
   */
  update(id: string, changes: UserChanges): Promise<UserRecord | undefined>;
  /** Returns false when there is no such user. */
  setStatus(id: string, status: UserStatus, at: number): Promise<boolean>;
  /**
   * Replaces the password hash only while it is still `expected` (compare-and-set), so an
   * upgrade of the hash at sign-in never overwrites a password an admin set meanwhile.
   * Returns whether it replaced it.
   */
  replacePasswordHash(id: string, expected: string, next: string, at: number): Promise<boolean>;
}

/** Failed sign-ins counted under one key (an account or an address) until `expiresAt`. */
export interface LoginAttemptRecord {
  key: string;
  failures: number;
  firstFailureAt: number;
  lastFailureAt: number;
  /** When the count is forgotten; an expired record reads as no record. */
  expiresAt: number;
}

/**
 * The counters behind brute-force protection. They live in the store, not in memory, so that
 * every node sees the same counts and a restart does not reset them.
 */
export interface LoginAttemptStore {
  /** The record under `key`, or undefined when there is none or it expired at or before `now`. */
  find(key: string, now: number): Promise<LoginAttemptRecord | undefined>;
  /**
   * Counts one failure at `now` and keeps the record until `expiresAt`. An expired record
   * starts again from one. Atomic: concurrent failures on one key are each counted.
   */
  recordFailure(key: string, now: number, expiresAt: number): Promise<LoginAttemptRecord>;
  /** Forgets `key` (after a successful sign-in). */
  clear(key: string): Promise<void>;
  deleteExpired(before: number): Promise<number>;
}

export type StoreKind = 'sqlite' | 'postgres';

export interface Store {
  readonly kind: StoreKind;
  readonly clients: ClientStore;
  readonly tokens: TokenStore;
  readonly revokedJwts: RevokedJwtStore;
  readonly replay: ReplayStore;
  readonly signingKeys: SigningKeyStore;
  readonly users: UserStore;
  readonly loginAttempts: LoginAttemptStore;
  /** Applies every pending migration; returns the names applied. Safe to run concurrently. */
  migrate(): Promise<string[]>;
  /** Names of migrations not yet applied. */
  pendingMigrations(): Promise<string[]>;
  /** Cheap round trip for readiness checks; throws when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type StoreOptions =
  | {
      kind: 'sqlite';
      /** Database file; its parent directory is created when missing. */
      file: string;
      /**
       * Milliseconds since the epoch (the shape of core's `Clock`); decides which replay
       * entries have expired. Defaults to `Date.now`. Inject one in tests instead of sleeping.
       */
      clock?: () => number;
    }
  | {
      kind: 'postgres';
      url: string;
      /** Connections in the pool; defaults to 10. */
      poolSize?: number;
      /**
       * Schema that holds every table, including the migration bookkeeping; set as the
       * `search_path` of each connection. Defaults to `public`. Lowercase letters, digits and
       * `_` only. Lets several stores (e.g. parallel test files) share one database.
       */
      schema?: string;
      /** As for SQLite: milliseconds since the epoch, defaults to `Date.now`. */
      clock?: () => number;
    };
