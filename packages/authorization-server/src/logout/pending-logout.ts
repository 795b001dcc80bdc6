import { hkdfSync } from 'node:crypto';
import { epochSeconds, generateRandomToken } from '@gatehouse/core';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { IssuerContext } from '../context.js';

/**
 * A logout request waiting for the person's "Sign out" (RP-Initiated Logout §2 and §3): what
 * was verified when it arrived, so the confirmation POST acts on that and never on form
 * fields. The redirect target in particular comes only from here.
 */
export interface PendingLogout {
  /** Random; makes each sealed value, and so each CSRF purpose, unique. */
  id: string;
  /** The client identified by `id_token_hint` or `client_id`, if any. */
  clientId?: string;
  /** Verified against the client's `post_logout_redirect_uris`. */
  postLogoutRedirectUri?: string;
  /** Returned to the client unchanged with the redirect (RP-Initiated Logout §3). */
  state?: string;
  /** The pages' language (`ui_locales`). */
  lang?: string;
}

/** Seconds the confirmation page stays usable: as long as its CSRF token. */
export const PENDING_LOGOUT_LIFETIME = 600;

type PendingLogoutContext = Pick<IssuerContext, 'secrets' | 'clock' | 'config'>;

const TYPE = 'gatehouse-logout';
const keys = new WeakMap<Uint8Array, Uint8Array>();

/**
 * Its own key, derived from the interaction key with HKDF (RFC 5869) under its own `info`,
 * so that no key encrypts two kinds of thing (and a sealed interaction can never be opened
 * as a pending logout, or the other way round).
 */
function sealingKey(ctx: PendingLogoutContext): Uint8Array {
  let key = keys.get(ctx.secrets.interaction);
  if (key === undefined) {
    key = new Uint8Array(hkdfSync('sha256', ctx.secrets.interaction, Buffer.alloc(0), TYPE, 32));
    keys.set(ctx.secrets.interaction, key);
  }
  return key;
}

/** A new pending logout for what a logout request verified. */
export function createPendingLogout(verified: Omit<PendingLogout, 'id'>): PendingLogout {
  return { id: generateRandomToken(16), ...verified };
}

/**
 * The pending logout as the confirmation form's `logout_id`: a JWE (`dir`, A256GCM), so the
 * person can neither read nor change it, expiring with the form.
 */
export async function sealPendingLogout(ctx: PendingLogoutContext, pending: PendingLogout): Promise<string> {
  const now = epochSeconds(ctx.clock);
  return new EncryptJWT({ logout: pending })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: TYPE })
    .setIssuer(ctx.config.issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + PENDING_LOGOUT_LIFETIME)
    .encrypt(sealingKey(ctx));
}

/** The pending logout a `logout_id` carries; undefined when it is forged, altered or expired. */
export async function openPendingLogout(
  ctx: PendingLogoutContext,
  sealed: string | undefined,
): Promise<PendingLogout | undefined> {
  if (!sealed) return undefined;
  try {
    const { payload } = await jwtDecrypt(sealed, sealingKey(ctx), {
      issuer: ctx.config.issuer,
      typ: TYPE,
      currentDate: new Date(ctx.clock()),
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    const pending = payload['logout'] as PendingLogout | undefined;
    return typeof pending?.id === 'string' ? pending : undefined;
  } catch {
    return undefined;
  }
}
