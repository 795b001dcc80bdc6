import type { DeviceAuthorizationRecord } from '@gatehouse/store';
import {
  approveDeviceAuthorization,
  denyDeviceAuthorization,
} from '../device/decide-device-authorization.js';
import { DEVICE_CODE_GRANT_TYPE } from '../device/device-code.js';
import { normalizeUserCode, userCodeDigest } from '../device/user-code.js';
import { opaqueTokenDigest } from '../tokens/opaque-token.js';
import { APP_SECRET, PASSWORD } from './browser-flow.js';
import type { SignedIn } from './code-grant.js';
import type { TestIssuer } from './harness.js';

/** Fixtures for the device grant (RFC 8628): a public CLI, a confidential device, a web app. */
export { APP_SECRET, DEVICE_CODE_GRANT_TYPE, PASSWORD };

export const deviceFlowConfig = {
  clients: [
    {
      client_id: 'cli',
      client_name: 'Gatehouse CLI',
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_CODE_GRANT_TYPE, 'refresh_token'],
      scope: 'orders:read ledger:read',
    },
    {
      client_id: 'kiosk',
      client_secret: APP_SECRET,
      grant_types: [DEVICE_CODE_GRANT_TYPE],
      scope: 'orders:read',
    },
    {
      client_id: 'web-app',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code'],
      redirect_uris: ['https://app.test/callback'],
    },
    { client_id: 'resource-server', client_secret: APP_SECRET, scope: '' },
  ],
  users: [
    { username: 'alice', name: 'Alice Example', email: 'alice@example.test', password: PASSWORD },
    { username: 'bob', name: 'Bob Example', password: PASSWORD },
  ],
};

export const kiosk: [string, string] = ['kiosk', APP_SECRET];

export interface StartedDevice {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** POSTs a device authorization request for the public CLI (default); throws unless 200. */
export async function startDevice(
  t: TestIssuer,
  form: Record<string, string | string[]> = { client_id: 'cli', scope: 'openid offline_access orders:read' },
  basic?: [string, string],
): Promise<StartedDevice> {
  const res = await t.post('/device_authorization', form, basic ? { basic } : {});
  if (res.statusCode !== 200) throw new Error(`device authorization failed: ${res.statusCode} ${res.body}`);
  return res.json() as StartedDevice;
}

/** The stored request behind a user code as the device received it. */
export async function findByUserCode(t: TestIssuer, userCode: string): Promise<DeviceAuthorizationRecord> {
  const ctx = t.issuer.context;
  const found = await ctx.store.deviceAuthorizations.findByUserCode(
    userCodeDigest(ctx.secrets, normalizeUserCode(userCode)!),
  );
  if (!found) throw new Error(`no device authorization for ${userCode}`);
  return found;
}

/** Approves a device code as the verification page does (the grant included). */
export async function approveDevice(
  t: TestIssuer,
  deviceCode: string,
  who: SignedIn,
  approvedScopes?: string[],
): Promise<void> {
  const ctx = t.issuer.context;
  const found = (await ctx.store.deviceAuthorizations.findByDeviceCode(opaqueTokenDigest(ctx, deviceCode)))!;
  if (!(await approveDeviceAuthorization(ctx, found, who.session, approvedScopes ?? found.scopes))) {
    throw new Error('device code not pending');
  }
}

/** Denies a device code as the verification page does. */
export async function denyDevice(t: TestIssuer, deviceCode: string, who: SignedIn): Promise<void> {
  const ctx = t.issuer.context;
  const found = (await ctx.store.deviceAuthorizations.findByDeviceCode(opaqueTokenDigest(ctx, deviceCode)))!;
  if (!(await denyDeviceAuthorization(ctx, found, who.session))) throw new Error('device code not pending');
}

/** The device's poll of the token endpoint (public CLI by default). */
export function pollRequest(deviceCode: string, clientId = 'cli'): Record<string, string> {
  return { grant_type: DEVICE_CODE_GRANT_TYPE, device_code: deviceCode, client_id: clientId };
}
