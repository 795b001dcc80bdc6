import { generateRandomToken } from '@gatehouse/core';

/** Recognisable in logs and secret scanners, like the other opaque credentials (`gh_at_`, `gh_rt_`). */
const DEVICE_CODE_PREFIX = 'gh_dc_';

/**
 * A new device_code: 256 random bits. RFC 8628 §5.2 treats it as a bearer credential of the
 * device; only its keyed digest (`opaqueTokenDigest`) is stored.
 */
export function generateDeviceCode(): string {
  return DEVICE_CODE_PREFIX + generateRandomToken(32);
}

/** RFC 8628 §3.4: the grant_type a device polls the token endpoint with. */
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
