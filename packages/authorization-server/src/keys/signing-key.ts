import { createPrivateKey, KeyObject, sign } from 'node:crypto';
import type { SigningKeyRecord } from '@gatehouse/store';
import {
  CompactEncrypt,
  calculateJwkThumbprint,
  compactDecrypt,
  exportJWK,
  generateKeyPair,
  type JWK,
} from 'jose';
import type { SigningAlg } from '../config/schema.js';

/** A signing key ready to use: the private part decrypted into a node KeyObject. */
export interface LoadedSigningKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  privateKey: KeyObject;
  activatesAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Creates a new key pair and its stored form, the private JWK encrypted under `encryptionKey`. */
export async function createSigningKeyRecord(
  alg: SigningAlg,
  encryptionKey: Uint8Array,
  createdAt: number,
  activatesAt: number,
): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  const privateKeyJwe = await new CompactEncrypt(encoder.encode(JSON.stringify(privateJwk)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'jwk+json', kid })
    .encrypt(encryptionKey);
  return {
    kid,
    alg,
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    privateKeyJwe,
    createdAt,
    activatesAt,
  };
}

export async function loadSigningKey(
  record: SigningKeyRecord,
  encryptionKey: Uint8Array,
): Promise<LoadedSigningKey> {
  let privateJwk: JWK;
  try {
    const { plaintext } = await compactDecrypt(record.privateKeyJwe, encryptionKey);
    privateJwk = JSON.parse(decoder.decode(plaintext)) as JWK;
  } catch (error) {
    throw new Error(
      `signing key ${record.kid} cannot be decrypted: the master key is not the one it was stored with ` +
        '(check GATEHOUSE_MASTER_KEY or <data_dir>/master.key)',
      { cause: error },
    );
  }
  return {
    kid: record.kid,
    alg: record.alg as SigningAlg,
    publicJwk: record.publicJwk as JWK,
    privateKey: createPrivateKey({ key: privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
    activatesAt: record.activatesAt,
  };
}

/**
 * Signs a JWS with node:crypto directly: for tokens we mint ourselves this is about three
 * times the throughput of going through WebCrypto. Anything that arrives from outside is
 * verified with jose.
 */
export function signCompactJws(key: LoadedSigningKey, encodedHeader: string, payload: object): string {
  const signingInput = `${encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const data = Buffer.from(signingInput);
  let signature: Buffer;
  switch (key.alg) {
    case 'ES256':
      // RFC 7518 §3.4: the JWS signature is R || S, not DER.
      signature = sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
      break;
    case 'RS256':
      signature = sign('sha256', data, key.privateKey);
      break;
    case 'EdDSA':
      signature = sign(null, data, key.privateKey);
      break;
  }
  return `${signingInput}.${signature.toString('base64url')}`;
}

export function encodeJwsHeader(header: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(header)).toString('base64url');
}

export function isKeyObject(value: unknown): value is KeyObject {
  return value instanceof KeyObject;
}
