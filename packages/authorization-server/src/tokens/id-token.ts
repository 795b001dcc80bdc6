import type { ClientRecord, SessionRecord, UserRecord } from '@gatehouse/store';
import { claimsForUser } from '../claims/scope-claims.js';
import type { SigningAlg } from '../config/schema.js';
import type { IssuerContext } from '../context.js';
import { DEFAULT_ID_TOKEN_ALG } from '../keys/signing-algs.js';
import { encodeJwsHeader, type LoadedSigningKey, signCompactJws } from '../keys/signing-key.js';
import { computeTokenHash } from './token-hash.js';

export type IdTokenDeps = Pick<IssuerContext, 'config' | 'keys'>;

export interface IdTokenOptions {
  client: ClientRecord;
  user: UserRecord;
  /** The browser session signed in through; absent for an offline refresh, so no `sid`. */
  session?: Pick<SessionRecord, 'sid'>;
  /** The `nonce` of the authentication request, passed through unchanged (OIDC Core §3.1.2.1). */
  nonce?: string;
  /** When the user last actively authenticated, as recorded with the grant. */
  authTime: number;
  acr?: string | null;
  amr: string[];
  /** The granted scopes: they pick the claims when no access token is issued. */
  scopes: string[];
  /** The access token issued with this ID token, hashed into `at_hash`. */
  accessToken?: string;
  /** Epoch seconds. */
  issuedAt: number;
  /** Seconds; the caller's default is 300. */
  lifetime: number;
}

const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'RS256', 'EdDSA'];

/**
 * Issues an ID token (OIDC Core §2, validated by the RP per §3.1.3.7).
 *
 * - `aud` is the client_id alone, so `azp` is never needed (§2: "only needed when the ID Token
 *   has a single audience value and that audience is different than the authorized party").
 * - `c_hash` is never set: §3.3.2.11 requires it only when the authorization endpoint returns
 *   a code together with an ID token (hybrid flow), and Gatehouse supports response_type=code
 *   only, where the ID token comes from the token endpoint.
 * - The header carries `typ: JWT`. OIDC Core does not define one for ID tokens and no
 *   `id_token+jwt` media type is registered, so an unknown type could break RPs; `JWT` is the
 *   RFC 7519 §5.1 value. Confusion between our tokens is prevented the RFC 8725 §3.11 way on the
 *   other side: access tokens are `at+jwt` (RFC 9068) and logout tokens `logout+jwt`, and our
 *   verifiers of those require their type.
 */
export function issueIdToken(deps: IdTokenDeps, options: IdTokenOptions): string {
  const key = idTokenSigningKey(deps, options.client);
  // OIDC Core §5.4: scope claims are "returned from the UserInfo Endpoint ... when a
  // response_type value is used that results in an Access Token being issued. However, when
  // no Access Token is issued ... the resulting Claims are returned in the ID Token."
  const userClaims = options.accessToken === undefined ? claimsForUser(options.user, options.scopes) : {};
  const claims: Record<string, unknown> = {
    ...userClaims,
    iss: deps.config.issuer,
    sub: options.user.id,
    aud: options.client.clientId,
    exp: options.issuedAt + options.lifetime,
    iat: options.issuedAt,
    auth_time: options.authTime,
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    ...(options.acr ? { acr: options.acr } : {}),
    ...(options.amr.length > 0 ? { amr: options.amr } : {}),
    ...(options.session ? { sid: options.session.sid } : {}),
    ...(options.accessToken !== undefined ? { at_hash: computeTokenHash(options.accessToken, key) } : {}),
  };
  return signCompactJws(key, encodeJwsHeader({ alg: key.alg, typ: 'JWT', kid: key.kid }), claims);
}

/**
 * The key for a client's ID tokens, and its logout tokens (Back-Channel Logout §2.4: "The
 * same keys are used to sign and encrypt Logout Tokens as are used for ID Tokens"): of the
 * client's `id_token_signed_response_alg`, else RS256 (OIDC Registration §2: "The default, if
 * omitted, is RS256"), whatever alg access tokens use. Throws when the ring has no active key
 * of that alg, which `ensureSigningKeys` with `signingAlgsInUse` at start prevents.
 */
export function idTokenSigningKey(deps: IdTokenDeps, client: ClientRecord): LoadedSigningKey {
  const registered = client.metadata['id_token_signed_response_alg'];
  if (registered !== undefined && !SIGNING_ALGS.includes(registered as SigningAlg)) {
    throw new Error(
      `client ${client.clientId}: id_token_signed_response_alg ${String(registered)} is not supported`,
    );
  }
  const alg = (registered as SigningAlg | undefined) ?? DEFAULT_ID_TOKEN_ALG;
  if (!deps.keys.hasSigningKey(alg)) {
    throw new Error(
      `client ${client.clientId} needs ${alg} ID tokens but the issuer has no active ${alg} key ` +
        '(ensureSigningKeys must run at start with signingAlgsInUse(config))',
    );
  }
  return deps.keys.signingKey(alg);
}
