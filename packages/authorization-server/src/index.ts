export {
  type AccountContext,
  authenticatePassword,
  type LoginFailureDetail,
  type PasswordAttempt,
  type PasswordAuthentication,
  throttleRules,
} from './accounts/authenticate-password.js';
export { type ConfigUserSync, syncConfigUsers } from './accounts/config-users.js';
export {
  hashPassword,
  isArgon2idHash,
  needsRehash,
  PASSWORD_HASH_PARAMETERS,
  type PasswordHashParameters,
  verifyPassword,
} from './accounts/password.js';
export {
  MAX_PASSWORD_LENGTH,
  type PasswordPolicy,
  passwordPolicyProblem,
} from './accounts/password-policy.js';
export {
  AccountInputError,
  addUser,
  assertUserFields,
  type NewUser,
  type StatusChange,
  setUserStatus,
} from './accounts/user-admin.js';
export { type ClientDocumentResult, checkClientDocument } from './clients/client-document.js';
export { digestClientSecret, generateClientSecret } from './clients/client-secret.js';
export { clientRecordFromConfig } from './clients/config-clients.js';
export { ConfigError } from './config/config-error.js';
export { type LoadConfigOptions, loadConfig, validateConfig } from './config/load.js';
export type {
  AccountsConfig,
  ClientConfig,
  GatehouseConfig,
  ResourceConfig,
  SigningAlg,
  UserConfig,
} from './config/schema.js';
export { ConfigSchema } from './config/schema.js';
export type { IssuerContext } from './context.js';
export { createIssuer, type Issuer, type IssuerOptions, openConfiguredStore } from './issuer.js';
export { KeyRing, rotateSigningKeys, rotateSigningKeysOfAlgs } from './keys/key-ring.js';
export { type KeyState, keyStates, selectKeys } from './keys/key-selection.js';
export { type DerivedKeys, decodeMasterKey, deriveKeys } from './keys/master-key.js';
export { resolveMasterKey } from './keys/master-key-file.js';
export { privateJwkMembers } from './keys/private-jwk-members.js';
export { DEFAULT_ID_TOKEN_ALG, signingAlgsInUse } from './keys/signing-algs.js';
export type { DeliverLogoutToken, LogoutDeliveryOutcome } from './logout/backchannel.js';
export {
  openStandaloneBackchannelLogout,
  type StandaloneBackchannelOptions,
} from './logout/standalone-backchannel.js';
export { signingKeyRetention } from './resources/resource-registry.js';
export { buildIssuerApp } from './server.js';
export type { SessionEndedListener } from './sessions/session-service.js';
