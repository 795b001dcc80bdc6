import { type Clock, epochSeconds, type Logger } from '@gatehouse/core';
import type { SigningKeyRecord, SigningKeyStore } from '@gatehouse/store';
import { createLocalJWKSet, type JSONWebKeySet, type JWK } from 'jose';
import type { GatehouseConfig, SigningAlg } from '../config/schema.js';
import { signingKeyRetention } from '../resources/resource-registry.js';
import { groupByAlg, type KeySelection, selectKeys } from './key-selection.js';
import { createSigningKeyRecord, type LoadedSigningKey, loadSigningKey } from './signing-key.js';

export interface KeyRingOptions {
  store: SigningKeyStore;
  encryptionKey: Uint8Array;
  clock: Clock;
  /** How long a retired key keeps verifying: the longest lifetime of anything it signs. */
  retentionSeconds: number;
  logger: Logger;
  /**
   * The alg `signingKey()` uses when the caller names none (`tokens.signing_alg`). Without it,
   * the alg of the key that activated last, which is only right while the store holds one alg.
   */
  signingAlg?: SigningAlg;
}

/**
 * The signing keys of this node, loaded from the store. The store is authoritative: every
 * node reloads on an interval, and the choice of signing key is a pure function of the rows
 * and the time, so nodes agree without talking to each other.
 *
 * Keys are grouped by alg and each group rotates on its own, so a client whose
 * `id_token_signed_response_alg` differs from `tokens.signing_alg` has an active key too. The
 * JWKS publishes every group.
 */
/**
 * The key ring of an issuer with this config, read from the store: what a server signs with,
 * and what a process that only signs now and then (the CLI's back-channel logout) needs too.
 */
export async function openKeyRing(
  config: GatehouseConfig,
  store: SigningKeyStore,
  options: { encryptionKey: Uint8Array; clock: Clock; logger: Logger },
): Promise<KeyRing> {
  const keys = new KeyRing({
    store,
    encryptionKey: options.encryptionKey,
    clock: options.clock,
    retentionSeconds: signingKeyRetention(config),
    logger: options.logger,
    signingAlg: config.tokens.signing_alg,
  });
  await keys.reload();
  return keys;
}

export class KeyRing {
  private readonly loaded = new Map<string, LoadedSigningKey>();
  private records: SigningKeyRecord[] = [];
  private selections = new Map<SigningAlg, KeySelection>();
  private defaultAlg: SigningAlg | undefined;
  private changesAt = Number.NEGATIVE_INFINITY;
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

  /** The key to sign with now: of `alg`, or of the default alg when none is named. */
  signingKey(alg?: SigningAlg): LoadedSigningKey {
    this.currentSelection();
    const wanted = alg ?? this.defaultAlg!;
    const selection = this.selections.get(wanted);
    if (!selection) {
      throw new Error(`the key ring has no active ${wanted} signing key: create one with ensureSigningKeys`);
    }
    return this.loaded.get(selection.signingKid)!;
  }

  /** Whether a key of `alg` signs now. */
  hasSigningKey(alg: SigningAlg): boolean {
    this.currentSelection();
    return this.selections.has(alg);
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

  private currentSelection(): void {
    if (this.selections.size === 0 || epochSeconds(this.options.clock) >= this.changesAt) this.select();
  }

  private select(): void {
    if (this.records.length === 0) throw new Error('the key ring is empty: call ensureSigningKey first');
    const now = epochSeconds(this.options.clock);
    const selections = new Map<SigningAlg, KeySelection>();
    const publishedKids: string[] = [];
    let changesAt = Number.POSITIVE_INFINITY;
    for (const [alg, records] of groupByAlg(this.records)) {
      if (!records.some((r) => r.activatesAt <= now)) {
        // A first key of a new alg: published before it signs, like any upcoming key.
        publishedKids.push(...records.map((r) => r.kid));
        changesAt = Math.min(changesAt, ...records.map((r) => r.activatesAt));
        continue;
      }
      const selection = selectKeys(records, now, this.options.retentionSeconds);
      selections.set(alg, selection);
      publishedKids.push(...selection.publishedKids);
      changesAt = Math.min(changesAt, selection.changesAt);
    }
    if (selections.size === 0) throw new Error('no signing key is active yet');
    const keys: JWK[] = publishedKids.map((kid) => this.loaded.get(kid)!.publicJwk);
    this.jwks = { keys };
    this.jwksBody = JSON.stringify(this.jwks);
    this.verifier = createLocalJWKSet(this.jwks);
    for (const [alg, selection] of selections) {
      const previous = this.selections.get(alg);
      if (previous && previous.signingKid !== selection.signingKid) {
        this.options.logger.info({ kid: selection.signingKid, alg }, 'signing key activated');
      }
    }
    this.selections = selections;
    this.changesAt = changesAt;
    this.defaultAlg =
      this.options.signingAlg ??
      (this.records.find((r) => r.kid === selectKeys(this.records, now, 0).signingKid)!.alg as SigningAlg);
  }
}

/**
 * Creates a key that signs at once when the store holds no active key (first start).
 * Keys of further algs come from `ensureSigningKeys`.
 */
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

/**
 * Creates, for each alg in `algs` that has no active key yet, a key that signs at once: called
 * at start with `signingAlgsInUse(config)` (the access-token alg, RS256 and every client's
 * `id_token_signed_response_alg`), so the issuer can sign each client's ID tokens with the
 * alg it registered, or RS256 when it registered none.
 */
export async function ensureSigningKeys(
  store: SigningKeyStore,
  algs: Iterable<SigningAlg>,
  encryptionKey: Uint8Array,
  now: number,
): Promise<SigningKeyRecord[]> {
  const records = await store.list();
  const created: SigningKeyRecord[] = [];
  for (const alg of new Set(algs)) {
    if (records.some((r) => r.alg === alg && r.activatesAt <= now)) continue;
    const record = await createSigningKeyRecord(alg, encryptionKey, now, now);
    await store.insert(record);
    created.push(record);
  }
  return created;
}

export interface RotationResult {
  added: SigningKeyRecord;
  removed: string[];
}

/**
 * Adds the next key. It is published at once and signs from `now + publishBeforeUse`, so every
 * verifier that refreshes its JWKS in that window knows it before the first token it signs.
 * Retired keys of the same alg past their retention are removed at the same time; keys of
 * other algs rotate on their own.
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
  const records = (await store.list()).filter((r) => r.alg === options.alg);
  const { expiredKids } = selectKeys(records, options.now, options.retentionSeconds);
  for (const kid of expiredKids) await store.remove(kid);
  return { added, removed: expiredKids };
}

/**
 * Rotates every alg in `algs` (`signingAlgsInUse`), one `rotateSigningKeys` each: a key
 * compromise or a scheduled rotation concerns every key the issuer signs with, and the ID-token
 * keys sign as much as the access-token ones.
 */
export async function rotateSigningKeysOfAlgs(
  store: SigningKeyStore,
  options: {
    algs: readonly SigningAlg[];
    encryptionKey: Uint8Array;
    now: number;
    publishBeforeUse: number;
    retentionSeconds: number;
  },
): Promise<RotationResult[]> {
  const { algs, ...rest } = options;
  const results: RotationResult[] = [];
  for (const alg of new Set(algs)) results.push(await rotateSigningKeys(store, { ...rest, alg }));
  return results;
}
