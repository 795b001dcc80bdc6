import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AtomicWriteHooks, writeFileAtomic } from './atomic-file.js';

/** One sign-in at one issuer, as `gatehouse login` stored it. Bearer secrets: never printed. */
export interface StoredLogin {
  issuer: string;
  clientId: string;
  accessToken: string;
  tokenType: string;
  /** When the access token expires (epoch seconds); absent when the issuer did not say. */
  expiresAt?: number;
  refreshToken?: string;
  idToken?: string;
  /** The scope granted (RFC 6749 §5.1), or the one requested when the response left it out. */
  scope: string;
  /** The ID token's claims, validated when it was received (for `gatehouse whoami`). */
  claims?: Record<string, unknown>;
  /** When these tokens were issued (epoch seconds). */
  obtainedAt: number;
}

interface CredentialsDocument {
  version: 1;
  logins: Record<string, StoredLogin>;
}

/** The credentials file is unreadable or not ours: says which file and what to do. */
export class CredentialsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsFileError';
  }
}

export function credentialsFile(dir: string): string {
  return join(dir, 'credentials.json');
}

/** Every stored login, keyed by issuer identifier; none when there is no file yet. */
export function readLogins(dir: string): Record<string, StoredLogin> {
  const file = credentialsFile(dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  if (!isCredentialsDocument(document)) {
    throw new CredentialsFileError(
      `${file} is not a Gatehouse credentials file; delete it and run 'gatehouse login' again`,
    );
  }
  return document.logins;
}

/** Adds or replaces the login for `login.issuer`, keeping the others. Hold the credentials lock. */
export function saveLogin(dir: string, login: StoredLogin, hooks?: AtomicWriteHooks): void {
  const logins = { ...readLogins(dir), [login.issuer]: login };
  writeLogins(dir, logins, hooks);
}

/** Forgets the login at `issuer`; true when there was one. Hold the credentials lock. */
export function removeLogin(dir: string, issuer: string): boolean {
  const logins = readLogins(dir);
  if (!(issuer in logins)) return false;
  delete logins[issuer];
  writeLogins(dir, logins);
  return true;
}

function writeLogins(dir: string, logins: Record<string, StoredLogin>, hooks?: AtomicWriteHooks): void {
  const document: CredentialsDocument = { version: 1, logins };
  writeFileAtomic(credentialsFile(dir), `${JSON.stringify(document, null, 2)}\n`, hooks);
}

function isCredentialsDocument(value: unknown): value is CredentialsDocument {
  if (typeof value !== 'object' || value === null) return false;
  const { version, logins } = value as Partial<CredentialsDocument>;
  if (version !== 1 || typeof logins !== 'object' || logins === null) return false;
  return Object.entries(logins).every(
    ([issuer, login]) =>
      typeof login === 'object' &&
      login !== null &&
      login.issuer === issuer &&
      typeof login.clientId === 'string' &&
      typeof login.accessToken === 'string' &&
      typeof login.tokenType === 'string',
  );
}
