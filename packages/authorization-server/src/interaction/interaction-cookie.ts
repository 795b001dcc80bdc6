import { epochSeconds, generateRandomToken } from '@gatehouse/core';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { ParamsRecord } from '../authorization/request-params.js';
import type { IssuerContext } from '../context.js';
import { type HostCookie, readCookie } from '../pages/csrf-cookie.js';

/**
 * Where a sign-in continues: `authorize` resumes an authorization request at /authorize,
 * `account` goes to the account page. Fixed server-side when the interaction starts and
 * sealed in the cookie, so no parameter can send the browser anywhere else after sign-in.
 */
export type InteractionContinuation = 'authorize' | 'account';

/**
 * The authorization request a person is in the middle of, carried between /authorize, /login
 * and /consent in an encrypted cookie, so nothing is stored for a request that is abandoned.
 * It keeps the request's parameters, not the validated request: every step validates them
 * again against the client as it is now. A sign-in started at /account is an interaction too,
 * with no parameters and `continuation: 'account'`.
 */
export interface Interaction {
  /** Random; in the URL of /login and /consent and in their CSRF purpose. */
  id: string;
  /** Absent in cookies written before it existed: those are `authorize`. */
  continuation?: InteractionContinuation;
  params: ParamsRecord;
  /** Whether the parameters came from a pushed request (RFC 9126), already used up. */
  pushed: boolean;
  /** Epoch seconds: a sign-in at or after this satisfies `prompt=login` and `max_age`. */
  startedAt: number;
}

export const INTERACTION_COOKIE = '__Host-gatehouse-interaction' as const;
/** Seconds a person has to sign in and decide. */
export const INTERACTION_LIFETIME = 600;

type InteractionContext = Pick<IssuerContext, 'secrets' | 'clock' | 'config'>;

/** A new interaction for validated request parameters. */
export function createInteraction(
  ctx: InteractionContext,
  params: ParamsRecord,
  pushed: boolean,
): Interaction {
  return { id: generateRandomToken(16), params, pushed, startedAt: epochSeconds(ctx.clock) };
}

/** A new interaction for signing in to the account page: nothing to carry but where it ends. */
export function createAccountInteraction(ctx: InteractionContext): Interaction {
  return {
    id: generateRandomToken(16),
    continuation: 'account',
    params: {},
    pushed: false,
    startedAt: epochSeconds(ctx.clock),
  };
}

/**
 * The cookie carrying `interaction`: a JWE (`dir`, A256GCM) under a key derived for this
 * alone, so the person can neither read the request back nor change it. SameSite=Lax: the
 * login POST's redirect back to /authorize is a same-site navigation and must carry it.
 */
export async function interactionCookie(
  ctx: InteractionContext,
  interaction: Interaction,
): Promise<HostCookie> {
  const now = epochSeconds(ctx.clock);
  const value = await new EncryptJWT({ interaction })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'gatehouse-interaction' })
    .setIssuer(ctx.config.issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + INTERACTION_LIFETIME)
    .encrypt(ctx.secrets.interaction);
  return { ...cookieShape(value), maxAge: INTERACTION_LIFETIME };
}

/** Deletes the interaction cookie once the request is answered. */
export function clearedInteractionCookie(): HostCookie {
  return { ...cookieShape(''), maxAge: 0 };
}

function cookieShape(value: string): HostCookie {
  return { name: INTERACTION_COOKIE, value, secure: true, path: '/', httpOnly: true, sameSite: 'Lax' };
}

/**
 * The interaction named `id` from the request's cookie; undefined when the cookie is missing,
 * forged, expired, belongs to another (newer) interaction, or continues elsewhere than
 * `continuation` (so an account sign-in can never be resumed as an authorization request).
 */
export async function readInteraction(
  ctx: InteractionContext,
  cookieHeader: string | undefined,
  id: string | undefined,
  continuation: InteractionContinuation = 'authorize',
): Promise<Interaction | undefined> {
  const value = readCookie(cookieHeader, INTERACTION_COOKIE);
  if (!value || !id) return undefined;
  try {
    const { payload } = await jwtDecrypt(value, ctx.secrets.interaction, {
      issuer: ctx.config.issuer,
      typ: 'gatehouse-interaction',
      currentDate: new Date(ctx.clock()),
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    const interaction = payload['interaction'] as Interaction | undefined;
    if (interaction?.id !== id) return undefined;
    return (interaction.continuation ?? 'authorize') === continuation ? interaction : undefined;
  } catch {
    return undefined;
  }
}
