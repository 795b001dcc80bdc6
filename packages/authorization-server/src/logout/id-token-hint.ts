import type { ClientRecord } from '@gatehouse/store';
import { compactVerify, errors } from 'jose';
import type { IssuerContext } from '../context.js';

/** What an `id_token_hint` tells about the logout it accompanies. */
export interface IdTokenHint {
  /** The `aud`: the client the ID token was issued to. */
  client: ClientRecord;
  subject: string;
  /** The session the ID token was issued in, when it carried one. */
  sid: string | undefined;
}

export type IdTokenHintResult =
  | { ok: true; hint: IdTokenHint }
  /** `reason` is for the log only. */
  | { ok: false; reason: string };

/** The algorithms our ID tokens are signed with (id_token_signed_response_alg). */
const ID_TOKEN_ALGS = ['ES256', 'RS256', 'EdDSA'];

type HintContext = Pick<IssuerContext, 'config' | 'keys' | 'findClient'>;

/**
 * Checks that an `id_token_hint` is an ID token this issuer issued. RP-Initiated Logout §2:
 * "When an id_token_hint parameter is present, the OP MUST validate that it was the issuer of
 * the ID Token", and the OP "SHOULD accept ID Tokens when the RP identified by the ID Token's
 * aud claim and/or sid claim has a current session or had a recent session at the OP, even
 * when the exp time has passed" — so the signature (by a key still in our JWKS), `iss` and
 * `aud` are checked and `exp` is not. Our other JWTs (access tokens `at+jwt`, logout tokens
 * `logout+jwt`, RFC 8725 §3.11) are refused by their `typ`.
 */
export async function verifyIdTokenHint(ctx: HintContext, token: string): Promise<IdTokenHintResult> {
  let payload: Record<string, unknown>;
  try {
    const verified = await compactVerify(token, ctx.keys.verificationKeys(), { algorithms: ID_TOKEN_ALGS });
    const typ = verified.protectedHeader.typ;
    if (typ !== undefined && typ.toLowerCase() !== 'jwt') return { ok: false, reason: `typ ${typ}` };
    const parsed: unknown = JSON.parse(new TextDecoder().decode(verified.payload));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { ok: false, reason: 'payload is not a JSON object' };
    }
    payload = parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof SyntaxError) {
      return { ok: false, reason: `not verified: ${error.message}` };
    }
    throw error;
  }
  if (payload['iss'] !== ctx.config.issuer) return { ok: false, reason: 'iss is not this issuer' };
  // Ours carry `aud` as the one client_id (OIDC Core §2 allows an array; one element is the same).
  const aud = payload['aud'];
  const audience = Array.isArray(aud) && aud.length === 1 ? aud[0] : aud;
  if (typeof audience !== 'string') return { ok: false, reason: 'aud is not one client' };
  const subject = payload['sub'];
  if (typeof subject !== 'string' || subject === '') return { ok: false, reason: 'no sub' };
  if ('events' in payload) return { ok: false, reason: 'a logout token' };
  const client = await ctx.findClient(audience);
  if (!client) return { ok: false, reason: `aud ${audience} is not a registered client` };
  const sid = typeof payload['sid'] === 'string' ? payload['sid'] : undefined;
  return { ok: true, hint: { client, subject, sid } };
}
