// RFC 7517 §6.2.2, §6.3.2, §6.4.1 and RFC 8037 §2: the members only a private or secret key has.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * The members of `jwk` that make it a private or secret key; empty for a public key. Checked by
 * member rather than by importing the key, so a leaked private key is refused whatever a JOSE
 * library would make of it.
 */
export function privateJwkMembers(jwk: object): string[] {
  return PRIVATE_JWK_MEMBERS.filter((member) => member in jwk);
}
