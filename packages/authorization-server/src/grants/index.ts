import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { deviceCodeGrant } from './device-code.js';
import type { Grant } from './grant.js';
import { refreshTokenGrant } from './refresh-token.js';

/** The grants the token endpoint dispatches on, by grant_type. */
export const grants: ReadonlyMap<string, Grant> = new Map([
  [clientCredentialsGrant.grantType, clientCredentialsGrant],
  [authorizationCodeGrant.grantType, authorizationCodeGrant],
  [refreshTokenGrant.grantType, refreshTokenGrant],
  [deviceCodeGrant.grantType, deviceCodeGrant],
]);

export type { Grant, GrantRequest, TokenResponse } from './grant.js';
