import { epochSeconds, generateRandomToken } from '@gatehouse/core';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { ParamsRecord } from '../authorization/request-params.js';
import type { IssuerContext } from '../context.js';
import { type HostCookie, readCookie, readCookiesByPrefix } from '../pages/csrf-cookie.js';

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

/**
 * Each interaction has its own cookie, named after its id, so that sign-ins in two tabs (two
 * apps, or an app and the account page) do not overwrite each other.
 */
export const INTERACTION_COOKIE_PREFIX = '__Host-gatehouse-interaction-' as const;
/** Seconds a person has to sign in and decide. */
export const INTERACTION_LIFETIME = 600;
/**
 * Most interaction cookies a browser keeps: starting one more clears the oldest. Each is a few
 * hundred bytes and every request to the issuer carries them all, so a page that starts
 * sign-ins in a loop must not be able to push the browser's Cookie header past the server's
 * header limit.
 */
export const MAX_OPEN_INTERACTIONS = 4;

// generateRandomToken(16): 22 base64url characters.
const OUR_NAME = /^__Host-gatehouse-interaction-[A-Za-z0-9_-]{22}$/;

export function interactionCookieName(id: string): `__Host-${string}` {
  return `${INTERACTION_COOKIE_PREFIX}${id}`;
}

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
 * The cookies to set when `interaction` starts or moves on: its own, a JWE (`dir`, A256GCM)
 * under a key derived for this alone, so the person can neither read the request back nor
 * change it; and deletions for this browser's other interaction cookies that are unreadable,
 * expired, or beyond the newest {@link MAX_OPEN_INTERACTIONS}. SameSite=Lax: the login POST's
 * redirect back to /authorize is a same-site navigation and must carry it.
 */
export async function interactionCookies(
  ctx: InteractionContext,
  interaction: Interaction,
  cookieHeader: string | undefined,
): Promise<HostCookie[]> {
  const now = epochSeconds(ctx.clock);
  const value = await new EncryptJWT({ interaction })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'gatehouse-interaction' })
    .setIssuer(ctx.config.issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + INTERACTION_LIFETIME)
    .encrypt(ctx.secrets.interaction);
  const own = interactionCookieName(interaction.id);
  // Only names we could have set: anything else in the header is not ours to delete.
  const found = readCookiesByPrefix(cookieHeader, INTERACTION_COOKIE_PREFIX).filter(
    ([name]) => name !== own && OUR_NAME.test(name),
  );
  // More than we ever keep means someone else put them there: those are deleted unread, so a
  // stuffed Cookie header costs a bounded number of decryptions.
  const others = await Promise.all(
    found.map(async ([name, cookieValue], i) => ({
      name,
      open: i < MAX_OPEN_INTERACTIONS * 2 ? await openInteraction(ctx, cookieValue) : undefined,
    })),
  );
  const kept = others
    .filter((other) => other.open !== undefined)
    .sort((a, b) => b.open!.startedAt - a.open!.startedAt)
    .slice(0, MAX_OPEN_INTERACTIONS - 1);
  const stale = others.filter((other) => !kept.includes(other));
  return [
    { ...cookieShape(own, value), maxAge: INTERACTION_LIFETIME },
    ...stale.map((other) => clearedCookie(other.name as `__Host-${string}`)),
  ];
}

/** Deletes the cookie of interaction `id` once its request is answered. */
export function clearedInteractionCookie(id: string): HostCookie {
  return clearedCookie(interactionCookieName(id));
}

function clearedCookie(name: `__Host-${string}`): HostCookie {
  return { ...cookieShape(name, ''), maxAge: 0 };
}

function cookieShape(name: `__Host-${string}`, value: string): HostCookie {
  return { name, value, secure: true, path: '/', httpOnly: true, sameSite: 'Lax' };
}

/**
 * The interaction named `id` from its cookie; undefined when the cookie is missing, forged,
 * expired, holds another interaction, or continues elsewhere than
 * `continuation` (so an account sign-in can never be resumed as an authorization request).
 */
export async function readInteraction(
  ctx: InteractionContext,
  cookieHeader: string | undefined,
  id: string | undefined,
  continuation: InteractionContinuation = 'authorize',
): Promise<Interaction | undefined> {
  if (!id) return undefined;
  const value = readCookie(cookieHeader, interactionCookieName(id));
  const interaction = value === undefined ? undefined : await openInteraction(ctx, value);
  // The id inside must be the one in the name: a cookie renamed by hand opens nothing else.
  if (interaction?.id !== id) return undefined;
  return (interaction.continuation ?? 'authorize') === continuation ? interaction : undefined;
}

/** The interaction sealed in a cookie value; undefined when it is forged, garbled or expired. */
async function openInteraction(ctx: InteractionContext, value: string): Promise<Interaction | undefined> {
  try {
    const { payload } = await jwtDecrypt(value, ctx.secrets.interaction, {
      issuer: ctx.config.issuer,
      typ: 'gatehouse-interaction',
      currentDate: new Date(ctx.clock()),
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    const interaction = payload['interaction'] as Interaction | undefined;
    return typeof interaction?.id === 'string' && typeof interaction.startedAt === 'number'
      ? interaction
      : undefined;
  } catch {
    return undefined;
  }
}
