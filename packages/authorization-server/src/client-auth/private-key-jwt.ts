import { invalidClient } from '@gatehouse/core';
import type { ClientRecord } from '@gatehouse/store';
import { createLocalJWKSet, errors, type JSONWebKeySet, jwtVerify } from 'jose';
import type { IssuerContext } from '../context.js';
import { remoteJwkSet } from './client-jwks.js';

/** Asymmetric algorithms accepted for client assertions; `none` and HMAC never are. */
export const ASSERTION_ALGORITHMS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'];

/** The longest lifetime an assertion may claim: it bounds how long its jti is remembered. */
const MAX_ASSERTION_LIFETIME = 600;
const CLOCK_TOLERANCE = 30;
/**
 * Longest `jti` remembered. It is a key of the replay store, whose PostgreSQL index cannot hold
 * a few kilobytes; a unique identifier (RFC 7519 §4.1.7) needs nowhere near this.
 */
const MAX_JTI_LENGTH = 256;

/**
 * RFC 7523 §3 and OpenID Connect Core §9: the assertion is signed by one of the client's keys,
 * `iss` and `sub` are the client_id, `aud` names this issuer, `exp` is in the future, and its
 * `jti` is used once.
 */
export async function verifyClientAssertion(
  ctx: IssuerContext,
  client: ClientRecord,
  assertion: string,
): Promise<void> {
  const registeredAlg = client.metadata.token_endpoint_auth_signing_alg;
  const keys = clientKeys(client);
  if (!keys) throw invalidClient('client has no jwks or jwks_uri');
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(assertion, keys, {
      issuer: client.clientId,
      subject: client.clientId,
      audience: [ctx.config.issuer, ctx.endpoints.token],
      algorithms: registeredAlg ? [registeredAlg] : ASSERTION_ALGORITHMS,
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_TOLERANCE,
      currentDate: new Date(ctx.clock()),
    }));
  } catch (error) {
    const reason = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : String(error);
    throw invalidClient(`client assertion rejected (${reason})`);
  }
  const now = Math.floor(ctx.clock() / 1000);
  const exp = payload.exp!;
  if (exp - now > MAX_ASSERTION_LIFETIME) {
    throw invalidClient(
      `client assertion expires too far in the future (${exp - now}s > ${MAX_ASSERTION_LIFETIME}s)`,
    );
  }
  const jti = payload.jti;
  // RFC 7519 §4.1.7: jti is a string. NUL cannot be stored in PostgreSQL text.
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH || jti.includes('\0')) {
    throw invalidClient('client assertion jti is not a string of at most 256 characters without NUL');
  }
  const fresh = await ctx.store.replay.useOnce(
    'client_assertion',
    `${client.clientId}:${jti}`,
    exp + CLOCK_TOLERANCE,
  );
  if (!fresh) throw invalidClient('client assertion jti was already used');
}

function clientKeys(client: ClientRecord) {
  const { jwks, jwks_uri } = client.metadata;
  if (jwks) return createLocalJWKSet(jwks as JSONWebKeySet);
  return typeof jwks_uri === 'string' ? remoteJwkSet(jwks_uri) : undefined;
}
