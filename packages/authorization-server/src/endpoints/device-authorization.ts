import { epochSeconds, OAuthError } from '@gatehouse/core';
import type { ClientRecord, DeviceAuthorizationRecord } from '@gatehouse/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assertKnownResources } from '../authorization/resource.js';
import { grantableScopes, parseScope } from '../authorization/scope.js';
import { authenticateClient } from '../client-auth/authenticate-client.js';
import { resourceUriProblem } from '../config/semantics.js';
import type { IssuerContext } from '../context.js';
import { DEVICE_CODE_GRANT_TYPE, generateDeviceCode } from '../device/device-code.js';
import { formatUserCode, generateUserCode, userCodeDigest } from '../device/user-code.js';
import { resourceForScopes } from '../grants/token-set.js';
import { type FormParams, formParams } from '../http/form-params.js';
import { opaqueTokenDigest } from '../tokens/opaque-token.js';

/** RFC 8628 §3.2 Device Authorization Response (wire spelling). */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** Long enough for any real client; the page shows it, the row need not hold kilobytes. */
const MAX_USER_AGENT = 512;
/** A fresh user code colliding with a stored one is rare (1 in 20^8 per stored row); retry a few times. */
const INSERT_ATTEMPTS = 5;

/**
 * The device authorization endpoint (RFC 8628 §3.1/§3.2): a client that cannot receive a
 * redirect asks for a device code to poll with and a user code for a person to enter at
 * `/device`. Steps: authenticate the client as at the token endpoint (public clients with
 * `none` included: "client_id REQUIRED if the client is not authenticating"), check it may
 * use the device grant, validate scope and resource as an authorization request, store the
 * request by digests of both codes, answer.
 */
export function deviceAuthorizationEndpoint(app: FastifyInstance, ctx: IssuerContext): void {
  app.post('/device_authorization', async (request, reply) => {
    const params = formParams(request);
    const { client } = await authenticateClient(
      ctx,
      request.headers.authorization,
      params,
      request.clientCertificate,
    );
    // RFC 8628 §3.2 refers errors to RFC 6749 §5.2: unauthorized_client, "The authenticated
    // client is not authorized to use this authorization grant type."
    if (!client.metadata.grant_types.includes(DEVICE_CODE_GRANT_TYPE)) {
      throw new OAuthError('unauthorized_client', 'the client may not use the device authorization grant');
    }
    const { scopes, resources } = readRequestedAccess(ctx, client, params);
    const response = await startDeviceAuthorization(ctx, request, client, scopes, resources);
    ctx.logger.info(
      { event: 'device_authorization_started', clientId: client.clientId },
      'device authorization started',
    );
    // RFC 8628 §3.2 via RFC 6749 §5.1: the response carries a credential, so no caching.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return response;
  });
}

/**
 * `scope` (RFC 8628 §3.1, as RFC 6749 §3.3) and `resource` (RFC 8707 §2), as the
 * authorization endpoint takes them: a malformed scope is invalid_scope, scopes the client may
 * not be granted are dropped (RFC 6749 §3.3), an unknown or malformed resource is
 * invalid_target. The device grant's token request names no resource, so the scopes and
 * resource must already point at one API here (RFC 8707 §2: invalid_target otherwise).
 */
function readRequestedAccess(
  ctx: IssuerContext,
  client: ClientRecord,
  params: FormParams,
): { scopes: string[]; resources: string[] } {
  const scopes = grantableScopes(client.metadata.scope, parseScope(params.get('scope')));
  const resources = params.getAll('resource');
  for (const resource of resources) {
    const problem = resourceUriProblem(resource);
    if (problem) throw new OAuthError('invalid_target', `resource ${problem}`);
  }
  assertKnownResources(ctx.resources, resources);
  resourceForScopes(ctx, resources, scopes);
  return { scopes, resources };
}

async function startDeviceAuthorization(
  ctx: IssuerContext,
  request: FastifyRequest,
  client: ClientRecord,
  scopes: string[],
  resources: string[],
): Promise<DeviceAuthorizationResponse> {
  const now = epochSeconds(ctx.clock);
  const { code_lifetime: lifetime, interval } = ctx.config.device;
  const deviceCode = generateDeviceCode();
  for (let attempt = 0; attempt < INSERT_ATTEMPTS; attempt++) {
    const userCode = generateUserCode();
    const record: DeviceAuthorizationRecord = {
      deviceCodeDigest: opaqueTokenDigest(ctx, deviceCode),
      userCodeDigest: userCodeDigest(ctx.secrets, userCode),
      clientId: client.clientId,
      scopes,
      resources,
      status: 'pending',
      interval,
      lastPolledAt: null,
      createdAt: now,
      expiresAt: now + lifetime,
      userAgent: request.headers['user-agent']?.slice(0, MAX_USER_AGENT) ?? null,
      address: request.ip,
      userId: null,
      sessionId: null,
      grantId: null,
      approvedScopes: null,
      authTime: null,
      amr: null,
      acr: null,
      decidedAt: null,
      consumedAt: null,
    };
    if (!(await ctx.store.deviceAuthorizations.insert(record))) continue;
    const shown = formatUserCode(userCode);
    const verificationUri = ctx.endpoints.deviceVerification;
    return {
      device_code: deviceCode,
      user_code: shown,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${shown}`,
      expires_in: lifetime,
      interval,
    };
  }
  throw new Error(`no free user code after ${INSERT_ATTEMPTS} attempts`);
}
