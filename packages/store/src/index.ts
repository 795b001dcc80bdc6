export { openStore } from './open-store.js';
export type {
  ClientMetadata,
  ClientRecord,
  ClientStore,
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
} from './store.js';
