import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A client's DPoP key pair that signs proofs (RFC 9449 §4.2) for tests. */
export interface TestDpopKey {
  publicJwk: JWK;
  privateJwk: JWK;
  /** RFC 7638 thumbprint: what tokens bound to this key carry as `cnf.jkt`. */
  jkt: string;
  proof(options: ProofOptions): Promise<string>;
}

export interface ProofOptions {
  htm?: string;
  htu: string;
  /** Seconds since the epoch; defaults to now by `clock`. */
  iat?: number;
  jti?: string;
  nonce?: string;
  /** The access token the proof accompanies: `ath` is computed from it. */
  accessToken?: string;
  /** Claims to add or replace (undefined removes one). */
  claims?: Record<string, unknown>;
  /** Header parameters to add or replace. */
  header?: Record<string, unknown>;
}

export async function createDpopKey(clock: () => number, alg = 'ES256'): Promise<TestDpopKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  const jkt = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    publicJwk,
    privateJwk,
    jkt,
    async proof(options) {
      const claims: Record<string, unknown> = {
        jti: options.jti ?? randomUUID(),
        htm: options.htm ?? 'POST',
        htu: options.htu,
        iat: options.iat ?? Math.floor(clock() / 1000),
        ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
        ...(options.accessToken !== undefined ? { ath: athFor(options.accessToken) } : {}),
        ...options.claims,
      };
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
      return new SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: publicJwk, ...options.header })
        .sign(privateKey);
    },
  };
}

/** RFC 9449 §4.2 `ath`: base64url SHA-256 of the access token. */
export function athFor(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** An unsigned compact JWT with the given header and claims, e.g. for `alg: none`. */
export function unsignedJwt(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(claims)}.`;
}
