import { type Clock, epochSeconds, type Logger } from '@gatehouse/core';
import type { SigningKeyRecord, SigningKeyStore } from '@gatehouse/store';
import { createLocalJWKSet, type JSONWebKeySet, type JWK } from 'jose';
import type { SigningAlg } from '../config/schema.js';
import { type KeySelection, selectKeys } from './key-selection.js';
import { createSigningKeyRecord, type LoadedSigningKey, loadSigningKey } from './signing-key.js';

export interface KeyRingOptions {
  store: SigningKeyStore;
  encryptionKey: Uint8Array;
  clock: Clock;
  /** How long a retired key keeps verifying: the longest lifetime of anything it signs. */
  retentionSeconds: number;
  logger: Logger;
}

/**
 * The signing keys of this node, loaded from the store. The store is authoritative: every
 * node reloads on an interval, and the choice of signing key is a pure function of the rows
 * and the time, so nodes agree without talking to each other.
 */
export class KeyRing {
  private readonly loaded = new Map<string, LoadedSigningKey>();
  private records: SigningKeyRecord[] = [];
  private selection: KeySelection | undefined;
  private jwks: JSONWebKeySet = { keys: [] };
  private jwksBody = '{"keys":[]}';
  private verifier: ReturnType<typeof createLocalJWKSet> = createLocalJWKSet({ keys: [] });

  constructor(private readonly options: KeyRingOptions) {}

  /** Reads every key from the store and decrypts the ones not seen before. */
  async reload(): Promise<void> {
    const records = await this.options.store.list();
    for (const record of records) {
      if (!this.loaded.has(record.kid)) {
        this.loaded.set(record.kid, await loadSigningKey(record, this.options.encryptionKey));
      }
    }
    for (const kid of this.loaded.keys()) {
      if (!records.some((r) => r.kid === kid)) this.loaded.delete(kid);
    }
    this.records = records;
    this.select();
  }

  /** The key to sign with now. */
  signingKey(): LoadedSigningKey {
    const selection = this.currentSelection();
    return this.loaded.get(selection.signingKid)!;
  }

  /** The published JWKS (public parts only). */
  publicKeys(): JSONWebKeySet {
    this.currentSelection();
    return this.jwks;
  }

  /** The JWKS serialized once per change, since it is served far more often than it changes. */
  publicKeysJson(): string {
    this.currentSelection();
    return this.jwksBody;
  }

  /** A jose key resolver over the published keys, for verifying tokens we issued. */
  verificationKeys(): ReturnType<typeof createLocalJWKSet> {
    this.currentSelection();
    return this.verifier;
  }

  private currentSelection(): KeySelection {
    if (!this.selection || epochSeconds(this.options.clock) >= this.selection.changesAt) this.select();
    return this.selection!;
  }

  private select(): void {
    if (this.records.length === 0) throw new Error('the key ring is empty: call ensureSigningKey first');
    const selection = selectKeys(
      this.records,
      epochSeconds(this.options.clock),
      this.options.retentionSeconds,
    );
    const keys: JWK[] = selection.publishedKids.map((kid) => this.loaded.get(kid)!.publicJwk);
    this.jwks = { keys };
    this.jwksBody = JSON.stringify(this.jwks);
    this.verifier = createLocalJWKSet(this.jwks);
    if (this.selection && this.selection.signingKid !== selection.signingKid) {
      this.options.logger.info({ kid: selection.signingKid }, 'signing key activated');
    }
    this.selection = selection;
  }
}

/** Creates a key that signs at once when the store holds no active key (first start). */
export async function ensureSigningKey(
  store: SigningKeyStore,
  alg: SigningAlg,
  encryptionKey: Uint8Array,
  now: number,
): Promise<SigningKeyRecord | undefined> {
  const records = await store.list();
  if (records.some((r) => r.activatesAt <= now)) return undefined;
  const record = await createSigningKeyRecord(alg, encryptionKey, now, now);
  await store.insert(record);
  return record;
}

export interface RotationResult {
  added: SigningKeyRecord;
  removed: string[];
}

/**
 * Adds the next key. It is published at once and signs from `now + publishBeforeUse`, so every
 * verifier that refreshes its JWKS in that window knows it before the first token it signs.
 * Retired keys past their retention are removed at the same time.
 */
export async function rotateSigningKeys(
  store: SigningKeyStore,
  options: {
    alg: SigningAlg;
    encryptionKey: Uint8Array;
    now: number;
    publishBeforeUse: number;
    retentionSeconds: number;
  },
): Promise<RotationResult> {
  const added = await createSigningKeyRecord(
    options.alg,
    options.encryptionKey,
    options.now,
    options.now + options.publishBeforeUse,
  );
  await store.insert(added);
  const records = await store.list();
  const { expiredKids } = selectKeys(records, options.now, options.retentionSeconds);
  for (const kid of expiredKids) await store.remove(kid);
  return { added, removed: expiredKids };
}
