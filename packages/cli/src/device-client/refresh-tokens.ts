import {
  None,
  processRefreshTokenResponse,
  ResponseBodyError,
  refreshTokenGrantRequest,
  type TokenEndpointResponse,
} from 'oauth4webapi';
import { describeFailure, type IssuerConnection } from './issuer-connection.js';

/** The refresh token is no longer good (RFC 6749 §5.2 invalid_grant): only a new login helps. */
export class LoginExpiredError extends Error {
  constructor(issuer: string, detail: string) {
    super(`the sign-in at ${issuer} has ended (${detail}); run 'gatehouse login' to sign in again`);
    this.name = 'LoginExpiredError';
  }
}

/** RFC 6749 §6: a new access token (and, with rotation, a new refresh token) for `refreshToken`. */
export async function refreshTokens(
  connection: IssuerConnection,
  refreshToken: string,
): Promise<TokenEndpointResponse> {
  const { as, client, http } = connection;
  try {
    return await processRefreshTokenResponse(
      as,
      client,
      await refreshTokenGrantRequest(as, client, None(), refreshToken, http),
    );
  } catch (error) {
    if (error instanceof ResponseBodyError && error.error === 'invalid_grant') {
      throw new LoginExpiredError(as.issuer, error.error_description ?? 'invalid_grant');
    }
    const said =
      error instanceof ResponseBodyError
        ? `${error.error}${error.error_description ? ` (${error.error_description})` : ''}`
        : describeFailure(error);
    throw new Error(`could not refresh the access token at ${as.issuer}: ${said}`);
  }
}
