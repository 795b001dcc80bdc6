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
  /**
   * Refresh-token family (RFC 9700 4.14.2): every token rotated from one authorization shares
   * it, so reuse of a rotated token can revoke them all. Access tokens issued with a refresh
   * token may carry it too. Omitted reads as null.
   */
  familyId?: string | null;
  /** The sign-in session the token was issued through; ending it revokes the token. */
  sessionId?: string | null;
  /** The consent grant the token was issued under; revoking it revokes the token. */
  grantId?: string | null;
  /** Digest of the refresh token this one was rotated from. */
  parentDigest?: string | null;
  /** When this refresh token was exchanged for its successor; set by `rotate` only. */
  rotatedAt?: number | null;
  /** Granted as offline access: survives the end of its session (`revokeBySession`). */
  offline?: boolean;
  /**
   * `jwt` for a JWT access token, stored only so that revoking its family, session or grant
   * puts its `jti` on the `revokedJwts` deny-list (its digest is of the whole JWT). Omitted
   * reads as `opaque`.
   */
  format?: 'opaque' | 'jwt';
}

/** Why `TokenStore.rotate` refused; every reason but not_found comes with the old token. */
export type TokenRotation =
  | { ok: true }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'reused' | 'revoked' | 'expired'; token: TokenRecord };

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
  /**
   * Exchanges the refresh token `oldDigest` for `next` in one transaction: marks the old one
   * rotated at `at` and inserts `next` as given (set its `familyId` and `parentDigest`).
   * Exactly one of several concurrent rotations of one token gets `{ ok: true }`; the others,
   * and any later one, get `reused`, which means the family must be revoked (RFC 9700
   * 4.14.2). `reused` wins over `revoked` and `expired`. An access token's digest is not_found.
   *
   * @example
   * ```ts
   * const result = await store.tokens.rotate(oldDigest, next, now);
   * if (!result.ok && result.reason === 'reused' && result.token.familyId) {
   *   await store.tokens.revokeFamily(result.token.familyId, now);
   * }
   * ```
   */
  rotate(oldDigest: string, next: TokenRecord, at: number): Promise<TokenRotation>;
  /**
   * Revokes every live token of the family; returns how many it revoked. This and the two
   * below also add the `jti` of each JWT row they revoke (`format: 'jwt'`) to `revokedJwts`,
   * in the same transaction, so introspection reports those JWTs inactive at once.
   */
  revokeFamily(familyId: string, at: number): Promise<number>;
  /**
   * Revokes the live tokens issued through the session; with `exceptOffline`, tokens granted
   * as offline access stay valid. Returns how many it revoked.
   */
  revokeBySession(sessionId: string, at: number, options?: { exceptOffline?: boolean }): Promise<number>;
  /** Revokes every live token issued under the grant; returns how many it revoked. */
  revokeByGrant(grantId: string, at: number): Promise<number>;
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

/**
 * A server-side sign-in session. The browser holds a random secret in a cookie; the store
 * holds only the caller's keyed digest of it, as `id`.
 */
export interface SessionRecord {
  /** Keyed digest of the cookie secret: the primary key. */
  id: string;
  /** Public, unique session id for ID tokens and logout (`sid`); never a credential. */
  sid: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  /** The session ends when it has not been used by then; `touch` moves it. */
  idleExpiresAt: number;
  /** The session ends by then however much it is used. */
  absoluteExpiresAt: number;
  /** When the user last actively authenticated (OIDC `auth_time`). */
  authTime: number;
  /** Authentication methods (RFC 8176), e.g. `['pwd', 'otp']`. */
  amr: string[];
  acr: string | null;
  endedAt: number | null;
  /** Why it ended: e.g. 'logout', 'session_limit', 'admin', 'timeout'. */
  endReason: string | null;
  userAgent?: string | null;
  address?: string | null;
}

/**
 * Sign-in sessions. The store does not judge liveness on reads: the caller compares the
 * record's expiry times and `endedAt` with its clock.
 *
 * @example
 * ```ts
 * await store.sessions.insert(session);
 * await store.sessions.endOldestBeyond(session.userId, 3, now, 'session_limit', { exceptId: session.id });
 * const found = await store.sessions.findById(keyedDigest(secret));
 * ```
 */
export interface SessionStore {
  /** Throws when the id or sid is taken. */
  insert(record: SessionRecord): Promise<void>;
  /** The session, live or not. */
  findById(id: string): Promise<SessionRecord | undefined>;
  /** The session with this public `sid`, live or not. */
  findBySid(sid: string): Promise<SessionRecord | undefined>;
  /** Records use of a session that has not ended; returns false when there is none. */
  touch(id: string, lastSeenAt: number, idleExpiresAt: number): Promise<boolean>;
  /** Ends the session unless it has already ended; returns whether this call ended it. */
  end(id: string, at: number, reason: string): Promise<boolean>;
  /**
   * The user's sessions, newest first. With `liveAt`, only those not ended and not expired
   * (idle or absolute) at that time.
   */
  listByUser(userId: string, options?: { liveAt?: number }): Promise<SessionRecord[]>;
  /**
   * Enforces a limit of `keep` concurrent sessions: ends the user's live sessions (at `at`)
   * beyond the newest `keep`, and returns the ids it ended. `exceptId` (the session just
   * created) counts as the newest, so a sign-in never ends itself even within the same
   * second. Serialised per user, so concurrent sign-ins leave at most `keep` live sessions.
   */
  endOldestBeyond(
    userId: string,
    keep: number,
    at: number,
    reason: string,
    options?: { exceptId?: string },
  ): Promise<string[]>;
  /**
   * The clients the session signed in to, for Back-Channel Logout: those that were issued an
   * authorization code through it (`AuthorizationCodeStore.insert` records them, and the record
   * lives as long as the session), got a token bound to it, or had a device authorization
   * approved in it. Sorted, no duplicates.
   */
  listClients(sessionId: string): Promise<string[]>;
  /**
   * Ids of sessions that have not ended but reached their idle or absolute expiry at or
   * before `at`, earliest expiry first, at most `limit`: the ones still to be ended as timed out.
   */
  listTimedOut(at: number, limit: number): Promise<string[]>;
  /**
   * Deletes sessions that ended before `before`, and what `listClients` recorded for them.
   * A timed-out session that nothing has ended yet stays until it is ended (`listTimedOut`),
   * so ending it can still revoke its tokens and notify its clients.
   */
  deleteExpired(before: number): Promise<number>;
}

/** What a user approved for a client (consent), as one live row per user and client. */
export interface GrantRecord {
  id: string;
  userId: string;
  clientId: string;
  scopes: string[];
  /** Resource indicators (RFC 8707) the tokens may be for. */
  resources: string[];
  /** Approved individual claims (OIDC `claims` parameter), when any. */
  claims?: Record<string, unknown> | null;
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
}

/**
 * Consent grants.
 *
 * @example
 * ```ts
 * const grant = await store.grants.upsert({ id: newId(), userId, clientId, scopes, resources: [],
 *   createdAt: now, updatedAt: now, revokedAt: null });
 * // grant.id is the existing live grant's id when there was one
 * ```
 */
export interface GrantStore {
  /** The live (unrevoked) grant of the user to the client. */
  find(userId: string, clientId: string): Promise<GrantRecord | undefined>;
  /** The grant, revoked or not. */
  findById(id: string): Promise<GrantRecord | undefined>;
  /**
   * Stores `record` as the live grant of its user to its client: inserts it, or, when one is
   * live, replaces that one's scopes, resources, claims and updatedAt (keeping its id and
   * createdAt; the caller merges with what was approved before, if it wants to). Atomic
   * under concurrent calls. Returns the stored grant.
   */
  upsert(record: GrantRecord): Promise<GrantRecord>;
  /** The user's grants, most recently updated first; revoked ones only with `includeRevoked`. */
  listByUser(userId: string, options?: { includeRevoked?: boolean }): Promise<GrantRecord[]>;
  /** Revokes a live grant; returns whether this call revoked it. Its tokens: `tokens.revokeByGrant`. */
  revoke(id: string, at: number): Promise<boolean>;
  /** Deletes grants revoked before `before` (live grants never expire). */
  deleteRevoked(before: number): Promise<number>;
}

/** A single-use authorization code (RFC 6749 4.1.2), stored by a keyed digest of the code. */
export interface AuthorizationCodeRecord {
  digest: string;
  clientId: string;
  userId: string;
  sessionId: string | null;
  grantId: string | null;
  redirectUri: string;
  scope: string;
  resource: string[];
  nonce: string | null;
  codeChallenge: string;
  /** OAuth 2.1: S256 only; `plain` is rejected before a code is issued. */
  codeChallengeMethod: 'S256';
  authTime: number;
  amr: string[];
  acr: string | null;
  /** DPoP key thumbprint the code is bound to (RFC 9449 10), when any. */
  dpopJkt: string | null;
  issuedAt: number;
  expiresAt: number;
  consumedAt: number | null;
  extra: Record<string, unknown>;
}

/** The result of `AuthorizationCodeStore.consume` for a code that exists. */
export interface AuthorizationCodeUse {
  /** The code as stored, `consumedAt` set (by the first use). */
  code: AuthorizationCodeRecord;
  /** True for every use after the first: revoke what the first one issued. */
  alreadyConsumed: boolean;
}

/**
 * Authorization codes.
 *
 * @example
 * ```ts
 * const use = await store.authorizationCodes.consume(digest, now);
 * if (!use) throw new OAuthError('invalid_grant', ...);
 * if (use.alreadyConsumed) await revokeIssuedFrom(use.code);
 * ```
 */
export interface AuthorizationCodeStore {
  /**
   * Stores the code and, when it has a session, records its client as one the session signed
   * in to (`SessionStore.listClients`), in the same transaction.
   */
  insert(record: AuthorizationCodeRecord): Promise<void>;
  /**
   * Marks the code used at `at`. Exactly one of any number of (concurrent) callers gets
   * `alreadyConsumed: false`; RFC 6749 4.1.2: "If an authorization code is used more than
   * once, the authorization server MUST deny the request and SHOULD revoke (when possible) all
   * tokens previously issued based on that authorization code." Expiry is not judged here:
   * the caller checks `expiresAt`. Undefined when there is no such code.
   */
  consume(digest: string, at: number): Promise<AuthorizationCodeUse | undefined>;
  /**
   * Marks every unused code issued under the grant used at `at`, so none can be redeemed once
   * the grant is revoked. Returns how many it marked. (Codes live 60 s and are few: no index.)
   */
  consumeByGrant(grantId: string, at: number): Promise<number>;
  deleteExpired(before: number): Promise<number>;
}

/** A pushed authorization request (RFC 9126), stored by a keyed digest of its request_uri. */
export interface PushedAuthorizationRequestRecord {
  digest: string;
  clientId: string;
  /** The authorization request parameters as pushed; repeated parameters as arrays. */
  params: Record<string, string | string[]>;
  expiresAt: number;
  consumedAt: number | null;
}

/**
 * Pushed authorization requests.
 *
 * @example
 * ```ts
 * await store.pushedRequests.insert({ digest, clientId, params, expiresAt: now + 60, consumedAt: null });
 * const pushed = await store.pushedRequests.consume(digest, clientId, now); // once
 * ```
 */
export interface PushedAuthorizationRequestStore {
  insert(record: PushedAuthorizationRequestRecord): Promise<void>;
  /**
   * Takes the request once: returns it to the first caller while it has not expired at `at`
   * and belongs to `clientId` (RFC 9126 4: the request_uri is bound to the client that pushed
   * it); undefined to everyone else. A wrong client does not use it up.
   */
  consume(
    digest: string,
    clientId: string,
    at: number,
  ): Promise<PushedAuthorizationRequestRecord | undefined>;
  deleteExpired(before: number): Promise<number>;
}

/** Where a device authorization stands (RFC 8628 §3.5): each status leads only to the next. */
export type DeviceAuthorizationStatus = 'pending' | 'approved' | 'denied' | 'consumed';

/**
 * A device authorization request (RFC 8628 §3.1), from the device's request to the token
 * redemption. Neither code is stored: the device code and the normalised user code are kept
 * as keyed digests, so a database dump can neither poll for tokens nor approve a request.
 */
export interface DeviceAuthorizationRecord {
  /** Keyed digest of the device_code: the primary key. */
  deviceCodeDigest: string;
  /** Keyed digest of the normalised user_code; unique among the stored rows. */
  userCodeDigest: string;
  clientId: string;
  /** The scopes requested (already narrowed to those the client may be granted). */
  scopes: string[];
  /** Resource indicators (RFC 8707) requested. */
  resources: string[];
  status: DeviceAuthorizationStatus;
  /** Seconds the device must wait between polls; slow_down raises it by 5 (RFC 8628 §3.5). */
  interval: number;
  lastPolledAt: number | null;
  createdAt: number;
  expiresAt: number;
  /** The requesting device's User-Agent and address, shown to the person who approves. */
  userAgent: string | null;
  address: string | null;
  /** The decision: who approved or denied, through which session and grant, and what. */
  userId: string | null;
  sessionId: string | null;
  grantId: string | null;
  /** The scopes approved (a subset of `scopes`); null until approved. */
  approvedScopes: string[] | null;
  /** The approving session's sign-in, for the ID token. */
  authTime: number | null;
  amr: string[] | null;
  acr: string | null;
  decidedAt: number | null;
  consumedAt: number | null;
}

/** The person's decision on a pending device authorization. */
export type DeviceDecision =
  | {
      status: 'approved';
      userId: string;
      sessionId: string;
      grantId: string;
      approvedScopes: string[];
      authTime: number;
      amr: string[];
      acr: string | null;
    }
  | { status: 'denied'; userId: string; sessionId: string };

/** What one poll of a pending authorization found (`DeviceAuthorizationStore.recordPoll`). */
export type DevicePoll =
  | { outcome: 'pending' | 'slow_down'; record: DeviceAuthorizationRecord }
  /** No longer pending when the poll was recorded (decided meanwhile, or gone): read it again. */
  | { outcome: 'not_pending' };

/**
 * Device authorizations (RFC 8628).
 *
 * @example
 * ```ts
 * if (!(await store.deviceAuthorizations.insert(record))) retryWithAnotherUserCode();
 * const found = await store.deviceAuthorizations.findByUserCode(userCodeDigest);
 * await store.deviceAuthorizations.decide(found.deviceCodeDigest, decision, now);
 * const redeemed = await store.deviceAuthorizations.consume(deviceCodeDigest, now); // once
 * ```
 */
export interface DeviceAuthorizationStore {
  /** Stores a new request; false (and nothing stored) when its user code digest is taken. */
  insert(record: DeviceAuthorizationRecord): Promise<boolean>;
  findByDeviceCode(deviceCodeDigest: string): Promise<DeviceAuthorizationRecord | undefined>;
  findByUserCode(userCodeDigest: string): Promise<DeviceAuthorizationRecord | undefined>;
  /**
   * Records the person's decision while the request is pending and unexpired at `at`; returns
   * whether this call decided it. Of concurrent decisions exactly one wins.
   */
  decide(deviceCodeDigest: string, decision: DeviceDecision, at: number): Promise<boolean>;
  /**
   * Records a poll of a pending request at `at`. RFC 8628 §3.5: a poll sooner than `interval`
   * seconds after the previous one is `slow_down`, and the interval is raised by 5 seconds
   * "for this and all subsequent requests" (stored). Atomic: each poll is judged against the
   * one before it, however many run at once.
   */
  recordPoll(deviceCodeDigest: string, at: number): Promise<DevicePoll>;
  /**
   * Takes an approved request for redemption: marks it consumed at `at` and returns it, to
   * exactly one caller; undefined to everyone else and for any other status.
   */
  consume(deviceCodeDigest: string, at: number): Promise<DeviceAuthorizationRecord | undefined>;
  /** Deletes requests that expired before `before`, whatever their status. */
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
  readonly sessions: SessionStore;
  readonly grants: GrantStore;
  readonly authorizationCodes: AuthorizationCodeStore;
  readonly pushedRequests: PushedAuthorizationRequestStore;
  readonly deviceAuthorizations: DeviceAuthorizationStore;
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
