import type { GatehouseConfig, SigningAlg } from '../config/schema.js';

/**
 * The ID-token alg of a client that registered none. OIDC Dynamic Client Registration §2,
 * id_token_signed_response_alg: "The default, if omitted, is RS256." OIDC Discovery §3 makes
 * the key behind it mandatory: id_token_signing_alg_values_supported "MUST include RS256".
 */
export const DEFAULT_ID_TOKEN_ALG: SigningAlg = 'RS256';

/**
 * Every alg the issuer signs with, each of which keeps one active key: `tokens.signing_alg`
 * (access tokens), RS256 (the ID-token default) and every client's
 * `id_token_signed_response_alg`. The access-token alg comes first; no alg appears twice.
 */
export function signingAlgsInUse(config: Pick<GatehouseConfig, 'tokens' | 'clients'>): SigningAlg[] {
  const algs = new Set<SigningAlg>([config.tokens.signing_alg, DEFAULT_ID_TOKEN_ALG]);
  for (const client of config.clients) {
    if (client.id_token_signed_response_alg) algs.add(client.id_token_signed_response_alg);
  }
  return [...algs];
}
