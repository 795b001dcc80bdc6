import { None, processRevocationResponse, revocationRequest } from 'oauth4webapi';
import { describeFailure, type IssuerConnection } from './issuer-connection.js';

export type RevocationOutcome = { revoked: true } | { revoked: false; unsupported: boolean; reason: string };

/**
 * Revokes `token` (RFC 7009 §2.1). Revoking the refresh token also ends the access tokens of
 * its grant where the issuer supports that (§2.1: "the authorization server SHOULD also
 * invalidate all access tokens based on the same authorization grant").
 */
export async function revokeToken(
  connection: IssuerConnection,
  token: string,
  tokenTypeHint: 'refresh_token' | 'access_token',
): Promise<RevocationOutcome> {
  const { as, client, http } = connection;
  if (as.revocation_endpoint === undefined) {
    return {
      revoked: false,
      unsupported: true,
      reason: 'the issuer does not advertise a revocation_endpoint',
    };
  }
  try {
    await processRevocationResponse(
      await revocationRequest(as, client, None(), token, {
        ...http,
        additionalParameters: { token_type_hint: tokenTypeHint },
      }),
    );
    return { revoked: true };
  } catch (error) {
    return { revoked: false, unsupported: false, reason: describeFailure(error) };
  }
}
