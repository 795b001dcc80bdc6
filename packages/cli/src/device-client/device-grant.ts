import {
  type DeviceAuthorizationResponse,
  deviceAuthorizationRequest,
  deviceCodeGrantRequest,
  None,
  processDeviceAuthorizationResponse,
  processDeviceCodeResponse,
  ResponseBodyError,
  type TokenEndpointResponse,
} from 'oauth4webapi';
import { describeFailure, type IssuerConnection } from './issuer-connection.js';

/**
 * The Device Authorization Request (RFC 8628 §3.1) as a public client: `client_id` and
 * `scope` in the form body, no client authentication (§3.1 names the client_id parameter
 * "REQUIRED if the client is not authenticating with the authorization server").
 */
export async function requestDeviceAuthorization(
  connection: IssuerConnection,
  scope: string,
): Promise<DeviceAuthorizationResponse> {
  const { as, client, http } = connection;
  if (as.device_authorization_endpoint === undefined) {
    throw new Error(
      `${as.issuer} does not offer the device authorization grant: its metadata has no ` +
        'device_authorization_endpoint (RFC 8628 §4)',
    );
  }
  try {
    const response = await deviceAuthorizationRequest(as, client, None(), { scope }, http);
    return await processDeviceAuthorizationResponse(as, client, response);
  } catch (error) {
    if (error instanceof ResponseBodyError) {
      throw new Error(`${as.issuer} refused to start the sign-in: ${refusal(error, client.client_id)}`);
    }
    throw new Error(`could not start the sign-in at ${as.issuer}: ${describeFailure(error)}`);
  }
}

/** One Device Access Token Request (RFC 8628 §3.4) for `deviceCode`, for `pollForTokens`. */
export function deviceTokenRequest(
  connection: IssuerConnection,
  deviceCode: string,
): () => Promise<TokenEndpointResponse> {
  const { as, client, http } = connection;
  return async () =>
    processDeviceCodeResponse(as, client, await deviceCodeGrantRequest(as, client, None(), deviceCode, http));
}

/** An OAuth error response in words, with the fix for the mistakes a CLI user can make. */
export function refusal(error: ResponseBodyError, clientId: string): string {
  const said = `${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  switch (error.error) {
    case 'invalid_client':
    case 'unauthorized_client':
      return `${said}; the issuer needs a public client '${clientId}' (token_endpoint_auth_method: none) allowed the device_code grant, or pass --client-id`;
    case 'invalid_scope':
      return `${said}; ask for scopes the client may have with --scope`;
    default:
      return said;
  }
}
