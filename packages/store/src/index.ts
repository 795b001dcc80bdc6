export { DuplicateUserError, type DuplicateUserField } from './duplicate-user-error.js';
export { openStore } from './open-store.js';
export type {
  ClientMetadata,
  ClientRecord,
  ClientStore,
  LoginAttemptRecord,
  LoginAttemptStore,
  ReplayStore,
  RevokedJwtStore,
  SigningKeyRecord,
  SigningKeyStore,
  Store,
  StoreKind,
  StoreOptions,
  TokenKind,
  TokenRecord,
  TokenStore,
  UserChanges,
  UserRecord,
  UserStatus,
  UserStore,
} from './store.js';
export { normalizeEmail, normalizeUsername } from './user-keys.js';
