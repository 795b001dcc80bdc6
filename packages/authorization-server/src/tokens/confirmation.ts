/**
 * The confirmation (`cnf`) of a sender-constrained token: the key a DPoP proof must be signed
 * with (RFC 9449 §6.1, `jkt`) or the certificate a mutual-TLS connection must present (RFC 8705
 * §3.1, `x5t#S256`). Stored as is in the token's row and carried as is in a JWT's `cnf` claim,
 * so introspection (RFC 9449 §6.2, RFC 8705 §3.2) returns it unchanged.
 */
export type Confirmation = { jkt: string } | { 'x5t#S256': string };

/**
 * RFC 9449 §5: a DPoP-bound access token has `token_type` `DPoP`; every other one, including a
 * certificate-bound one (RFC 8705 §3 keeps the Bearer type), is `Bearer`.
 */
export function tokenTypeFor(
  confirmation: Readonly<Record<string, string>> | null | undefined,
): 'Bearer' | 'DPoP' {
  return typeof confirmation?.['jkt'] === 'string' ? 'DPoP' : 'Bearer';
}

/** The DPoP key thumbprint a token is bound to, if it is DPoP-bound. */
export function boundJkt(
  confirmation: Readonly<Record<string, string>> | null | undefined,
): string | undefined {
  const jkt = confirmation?.['jkt'];
  return typeof jkt === 'string' ? jkt : undefined;
}

/** What a token request proved about its sender, for the grant's tokens to be bound to. */
export interface SenderConstraint {
  confirmation: Confirmation;
  /**
   * Whether refresh tokens are bound too. RFC 9449 §5: refresh tokens issued to public clients
   * "MUST be bound to the respective public key"; a confidential client's are not, as they are
   * already bound to its credentials.
   */
  bindRefreshToken: boolean;
}

/** Whether two confirmations name the same key or certificate. */
export function isSameConfirmation(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  if (b === undefined) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
