import { randomUUID } from 'node:crypto';
import type { ClientRecord } from '@gatehouse/store';
import { encodeJwsHeader, signCompactJws } from '../keys/signing-key.js';
import { type IdTokenDeps, idTokenSigningKey } from './id-token.js';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface LogoutTokenOptions {
  /** The RP the token is POSTed to: its `aud`, and its ID-token alg signs it. */
  client: ClientRecord;
  /** The user signed out; at least one of `subject` and `sid` is required. */
  subject?: string;
  /** The session ended, as its ID tokens carried it. */
  sid?: string;
  /** Epoch seconds. */
  issuedAt: number;
  /** Seconds; §2.4 recommends at most two minutes, so the caller's default is 120. */
  lifetime: number;
}

/**
 * Issues a logout token (OpenID Connect Back-Channel Logout 1.0 §2.4): iss, aud, iat, exp, jti,
 * events, and sub and/or sid. §2.4: "A nonce Claim MUST NOT be present", so it never has one,
 * and it is explicitly typed `logout+jwt` as §2.4 recommends, so it cannot pass for an ID token.
 * It is signed with the key of the client's ID tokens (§2.4: "The same keys are used to sign
 * and encrypt Logout Tokens as are used for ID Tokens").
 */
export function issueLogoutToken(deps: IdTokenDeps, options: LogoutTokenOptions): string {
  // §2.4: "A Logout Token MUST contain either a sub or a sid Claim, and MAY contain both."
  if (!options.subject && !options.sid) throw new Error('a logout token needs a subject or a sid');
  const key = idTokenSigningKey(deps, options.client);
  const claims = {
    iss: deps.config.issuer,
    ...(options.subject ? { sub: options.subject } : {}),
    aud: options.client.clientId,
    iat: options.issuedAt,
    exp: options.issuedAt + options.lifetime,
    // §2.4: jti lets the RP reject a replayed token.
    jti: randomUUID(),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...(options.sid ? { sid: options.sid } : {}),
  };
  return signCompactJws(key, encodeJwsHeader({ alg: key.alg, typ: 'logout+jwt', kid: key.kid }), claims);
}
