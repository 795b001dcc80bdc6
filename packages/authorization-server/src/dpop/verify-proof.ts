import { createHash, timingSafeEqual } from 'node:crypto';
import { epochSeconds, OAuthError } from '@gatehouse/core';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  errors,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import type { IssuerContext } from '../context.js';
import { privateJwkMembers } from '../keys/private-jwk-members.js';
import { normalizeHtu } from './htu.js';
import { issueDpopNonce, isValidDpopNonce } from './nonce.js';

/**
 * RFC 9449 §4.3 item 5: "a registered asymmetric digital signature algorithm", "not none",
 * "supported by the application, and is deemed secure". HMAC algorithms cannot prove
 * possession of a key the server does not also hold; `none` proves nothing.
 */
export const DPOP_SIGNING_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
  'Ed25519',
] as const;

/** Longest `jti` remembered: RFC 9449 §4.2 asks for 96 bits of randomness, nowhere near this. */
const MAX_JTI_LENGTH = 256;

export interface DpopProofRequest {
  /** The compact JWT from the (single) DPoP header. */
  proof: string;
  /** The HTTP method of the request (RFC 9449 §4.3 item 8). */
  method: string;
  /**
   * Our own URLs of the endpoint (under the issuer, and under the mutual-TLS alias base when
   * there is one), never built from the Host header, which the client controls (item 9).
   */
  urls: readonly string[];
  /** The access token the proof comes with, at a protected resource (item 12, `ath`). */
  accessToken?: string;
}

export interface VerifiedDpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: what a token is bound to (§6.1 `cnf.jkt`). */
  jkt: string;
  jwk: JWK;
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3) in the RFC's order and records its `jti` so it is never
 * accepted twice. Every failure is `invalid_dpop_proof` with the reason in the log detail;
 * a missing or stale nonce is `use_dpop_nonce` with a fresh `DPoP-Nonce` header (§8). Callers
 * at a protected resource turn both into `WWW-Authenticate: DPoP` challenges (§7.1, §9).
 */
export async function verifyDpopProof(
  ctx: IssuerContext,
  request: DpopProofRequest,
): Promise<VerifiedDpopProof> {
  const { header, payload, jwk } = await verifySignedProof(ctx, request.proof);
  // Item 8: "the htm claim matches the HTTP method of the current request".
  if (payload['htm'] !== request.method) {
    throw invalidProof(`htm ${String(payload['htm'])} is not ${request.method}`);
  }
  // Item 9: "the htu claim matches the HTTP URI value for the HTTP request in which the JWT
  // was received, ignoring any query and fragment parts".
  const htu = normalizeHtu(String(payload['htu']));
  if (htu === undefined || !request.urls.some((url) => normalizeHtu(url) === htu)) {
    throw invalidProof(`htu ${String(payload['htu'])} is not ${request.urls.join(' or ')}`);
  }
  assertNonce(ctx, payload['nonce']);
  // Item 11: the creation time "is within an acceptable window (see Section 11.1)".
  const now = epochSeconds(ctx.clock);
  const iat = payload.iat!;
  const { proof_max_age: maxAge, clock_skew: skew } = ctx.config.dpop;
  if (iat < now - maxAge) throw invalidProof(`proof issued ${now - iat}s ago`);
  if (iat > now + skew) throw invalidProof(`proof issued ${iat - now}s in the future`);
  if (request.accessToken !== undefined) assertAth(payload['ath'], request.accessToken);
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  // §11.1: a jti is remembered for as long as its proof would be accepted, and a proof whose
  // jti was seen is refused. Kept in the store, so a proof replayed to another node is caught
  // too. Keyed by the key's thumbprint, as each key holder picks its own jti, but not by URL:
  // stricter than §11.1 needs. Last, so a proof refused above has not spent its jti.
  const jti = payload.jti!;
  const fresh = await ctx.store.replay.useOnce('dpop', `${jkt}:${jti}`, iat + maxAge + 1);
  if (!fresh) throw invalidProof(`jti ${jti} replayed (alg ${header.alg})`);
  return { jkt, jwk };
}

/** Items 2 to 7: a well-formed JWT, `typ`, `alg`, a public `jwk`, a valid signature, claims. */
async function verifySignedProof(ctx: IssuerContext, proof: string) {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw invalidProof('not a JWT');
  }
  if (proof.split('.').length !== 3) throw invalidProof('not a compact JWS');
  // Item 4: "the typ JOSE Header Parameter has the value dpop+jwt".
  if (header.typ !== 'dpop+jwt') throw invalidProof(`typ ${String(header.typ)}`);
  if (!(DPOP_SIGNING_ALGORITHMS as readonly unknown[]).includes(header.alg)) {
    throw invalidProof(`alg ${String(header.alg)} not allowed`);
  }
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalidProof('no jwk header');
  // Item 7: "the jwk JOSE Header Parameter does not contain a private key".
  const leaked = privateJwkMembers(jwk);
  if (leaked.length > 0) throw invalidProof(`jwk has private members ${leaked.join(',')}`);
  let payload: JWTPayload;
  try {
    // Item 6: the signature verifies with the key in the jwk header. jose also refuses a jwk
    // of the wrong kind for alg; exp/nbf, if a client adds them, are honoured.
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...DPOP_SIGNING_ALGORITHMS],
      currentDate: new Date(ctx.clock()),
      clockTolerance: ctx.config.dpop.clock_skew,
      // Item 3 and §4.2: jti, htm, htu and iat are required.
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
    }));
  } catch (error) {
    // WebCrypto refuses a jwk it cannot import (an EC point off the curve, a truncated
    // coordinate) with a DOMException that jose passes on: the proof's key, so the proof's fault.
    if (error instanceof errors.JOSEError || error instanceof TypeError || error instanceof DOMException) {
      const kind = error instanceof errors.JOSEError ? error.code : error.name;
      throw invalidProof(`${kind}: ${error.message}`);
    }
    throw error;
  }
  for (const claim of ['jti', 'htm', 'htu'] as const) {
    if (typeof payload[claim] !== 'string' || payload[claim] === '')
      throw invalidProof(`${claim} not a string`);
  }
  if (payload.jti!.length > MAX_JTI_LENGTH) throw invalidProof('jti too long');
  // The jti goes into the replay store, and PostgreSQL cannot store U+0000 in text; no client
  // picks a jti with it, so a proof carrying one is refused like any other malformed proof.
  if (payload.jti!.includes('\0')) throw invalidProof('jti contains NUL');
  return { header, payload, jwk: jwk as JWK };
}

/**
 * Item 10: "if the server provided a nonce value to the client, the nonce claim matches". A
 * nonce is checked whenever one is sent; with `dpop.require_nonce` a proof must carry one. A
 * missing or outdated nonce is §8's `use_dpop_nonce`, with a fresh one to retry with.
 */
function assertNonce(ctx: IssuerContext, nonce: unknown): void {
  if (nonce === undefined && !ctx.config.dpop.require_nonce) return;
  if (typeof nonce === 'string' && isValidDpopNonce(ctx, nonce)) return;
  throw new OAuthError('use_dpop_nonce', 'a server-provided nonce is required in the DPoP proof', {
    detail: nonce === undefined ? 'no nonce' : 'unknown or outdated nonce',
    headers: { 'dpop-nonce': issueDpopNonce(ctx) },
  });
}

/** Item 12 and §4.2: `ath` is the base64url SHA-256 hash of the ASCII access token. */
function assertAth(ath: unknown, accessToken: string): void {
  const expected = Buffer.from(createHash('sha256').update(accessToken, 'ascii').digest('base64url'));
  const given = Buffer.from(typeof ath === 'string' ? ath : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalidProof(ath === undefined ? 'no ath' : 'ath does not match the access token');
  }
}

/** The URLs a proof for the endpoint at `path` may name in `htu`. */
export function dpopEndpointUrls(ctx: IssuerContext, path: string): string[] {
  const urls = [`${ctx.config.issuer}${path}`];
  if (ctx.mtls?.baseUrl !== undefined) urls.push(`${ctx.mtls.baseUrl}${path}`);
  return urls;
}

function invalidProof(detail: string): OAuthError {
  return new OAuthError('invalid_dpop_proof', 'the DPoP proof is invalid', { detail });
}

/** The parts of a Node request the DPoP header is read from. */
export interface RawHeaders {
  rawHeaders?: readonly string[];
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Every DPoP header field of a request, kept apart. Node joins repeated fields of an unknown
 * header with ", " in `headers`, so the raw list is read when there is one; the joined value
 * still fails readDpopHeader, as a list is not a single JWT.
 */
export function dpopHeaderValues(request: RawHeaders): string[] | undefined {
  // Most token requests carry no proof: the parsed headers say so without a scan.
  if (request.headers['dpop'] === undefined) return undefined;
  if (request.rawHeaders !== undefined && request.rawHeaders.length > 0) {
    const values: string[] = [];
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
      if (request.rawHeaders[i]!.toLowerCase() === 'dpop') values.push(request.rawHeaders[i + 1]!);
    }
    return values.length > 0 ? values : undefined;
  }
  const value = request.headers['dpop'];
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
}

/**
 * Item 1: "there is not more than one DPoP HTTP request header field". Takes the values
 * dpopHeaderValues read.
 *
 * @returns the proof, or undefined when the request has none.
 */
export function readDpopHeader(values: readonly string[] | undefined): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) throw invalidProof('more than one DPoP header');
  // Item 2: "a single ... JWT": a list in one field is not one.
  const value = values[0]!.trim();
  if (value === '' || value.includes(',')) throw invalidProof('the DPoP header is not a single JWT');
  return value;
}
