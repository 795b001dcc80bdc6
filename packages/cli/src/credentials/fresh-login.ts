import type { IssuerConnection } from '../device-client/issuer-connection.js';
import { LoginExpiredError, refreshTokens } from '../device-client/refresh-tokens.js';
import { readLogins, type StoredLogin, saveLogin } from './credentials-file.js';
import { withCredentialsLock } from './credentials-lock.js';
import { storedLoginFrom } from './stored-login.js';

/** An access token with less than this left is refreshed first: it could expire in transit. */
export const MIN_VALIDITY_SECONDS = 30;

export interface FreshLoginOptions {
  /** Epoch seconds. */
  now(): number;
  /** Discovers the issuer; called only when a refresh is needed. */
  connect(login: StoredLogin): Promise<IssuerConnection>;
}

export function needsRefresh(login: StoredLogin, now: number): boolean {
  return login.expiresAt !== undefined && login.expiresAt - now < MIN_VALIDITY_SECONDS;
}

/**
 * The stored login at `issuer` with an access token good for at least 30 more seconds,
 * refreshed (RFC 6749 §6) and saved when needed. The refresh runs under the credentials lock
 * and re-reads the file first, so of several processes only one spends the refresh token
 * and the others use what it stored.
 */
export async function freshLogin(
  dir: string,
  issuer: string,
  options: FreshLoginOptions,
): Promise<StoredLogin> {
  const stored = readLogins(dir)[issuer];
  if (stored === undefined) throw notSignedIn(issuer);
  if (!needsRefresh(stored, options.now())) return stored;
  return withCredentialsLock(dir, async () => {
    const current = readLogins(dir)[issuer];
    if (current === undefined) throw notSignedIn(issuer);
    if (!needsRefresh(current, options.now())) return current;
    if (current.refreshToken === undefined) {
      throw new LoginExpiredError(issuer, 'the access token has expired and there is no refresh token');
    }
    const connection = await options.connect(current);
    const response = await refreshTokens(connection, current.refreshToken);
    const refreshed = storedLoginFrom(response, {
      issuer,
      clientId: current.clientId,
      requestedScope: current.scope,
      now: options.now(),
      previous: current,
    });
    const before = current.claims?.['sub'];
    const after = refreshed.claims?.['sub'];
    if (before !== undefined && after !== undefined && before !== after) {
      // OIDC Core §12.2: a refreshed ID token's "sub Claim Value MUST be the same as in the
      // ID Token issued when the original authentication occurred".
      throw new Error(
        `the issuer ${issuer} answered the refresh for another subject; run 'gatehouse login' again`,
      );
    }
    // RFC 9700 §4.14.2: with rotation the old refresh token is now spent; the new one must
    // reach the disk, atomically, before anything else can fail.
    saveLogin(dir, refreshed);
    return refreshed;
  });
}

export function notSignedIn(issuer: string): Error {
  return new Error(`not signed in at ${issuer}; run 'gatehouse login --issuer ${issuer}'`);
}
