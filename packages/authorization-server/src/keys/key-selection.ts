import type { SigningKeyRecord } from '@gatehouse/store';
import type { SigningAlg } from '../config/schema.js';

export interface KeySelection {
  /** The key that signs now. */
  signingKid: string;
  /** Keys in the JWKS: upcoming ones, the signing one, and retired ones still verifying tokens. */
  publishedKids: string[];
  /** Retired keys no token can still need: safe to delete. */
  expiredKids: string[];
  /** The next time (seconds) the selection changes, or Infinity. */
  changesAt: number;
}

/**
 * Picks the signing key and the published set from the stored keys at time `now`.
 * Pure, so every node computes the same answer from the same rows without coordination.
 *
 * - The signing key is the one that activated last (`activatesAt <= now`).
 * - A key that has not activated yet is published, so verifiers learn it before it signs.
 * - A key stays published until its successor has been active for `retentionSeconds`
 *   (the longest token lifetime), i.e. until every token it signed has expired.
 */
export function selectKeys(records: SigningKeyRecord[], now: number, retentionSeconds: number): KeySelection {
  // kid settles a full tie (two nodes creating the first key in the same second), so the
  // answer never depends on the order the rows arrive in.
  const sorted = [...records].sort(
    (a, b) =>
      a.activatesAt - b.activatesAt ||
      a.createdAt - b.createdAt ||
      (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0),
  );
  let signingIndex = -1;
  for (let i = 0; i < sorted.length; i++) if (sorted[i]!.activatesAt <= now) signingIndex = i;
  if (signingIndex === -1) throw new Error('no signing key is active yet');

  const published: string[] = [];
  const expired: string[] = [];
  let changesAt = Number.POSITIVE_INFINITY;
  for (let i = 0; i < sorted.length; i++) {
    const key = sorted[i]!;
    if (i >= signingIndex) {
      published.push(key.kid);
      if (key.activatesAt > now) changesAt = Math.min(changesAt, key.activatesAt);
      continue;
    }
    const retiredUntil = sorted[i + 1]!.activatesAt + retentionSeconds;
    if (retiredUntil > now) {
      published.push(key.kid);
      changesAt = Math.min(changesAt, retiredUntil);
    } else {
      expired.push(key.kid);
    }
  }
  return { signingKid: sorted[signingIndex]!.kid, publishedKids: published, expiredKids: expired, changesAt };
}

/** Records grouped by alg, groups in the order their first key appears. */
export function groupByAlg<R extends Pick<SigningKeyRecord, 'alg'>>(
  records: readonly R[],
): Map<SigningAlg, R[]> {
  const groups = new Map<SigningAlg, R[]>();
  for (const record of records) {
    const alg = record.alg as SigningAlg;
    const group = groups.get(alg);
    if (group) group.push(record);
    else groups.set(alg, [record]);
  }
  return groups;
}

export type KeyState = 'next' | 'signing' | 'retired' | 'expired';

/**
 * The state of every stored key at `now`, each alg judged on its own (the key ring keeps one
 * signing key per alg): what `gatehouse keys list` shows.
 */
export function keyStates(
  records: readonly SigningKeyRecord[],
  now: number,
  retentionSeconds: number,
): Map<string, KeyState> {
  const states = new Map<string, KeyState>();
  for (const group of groupByAlg(records).values()) {
    if (!group.some((r) => r.activatesAt <= now)) {
      for (const record of group) states.set(record.kid, 'next');
      continue;
    }
    const selection = selectKeys(group, now, retentionSeconds);
    for (const record of group) {
      states.set(
        record.kid,
        record.kid === selection.signingKid
          ? 'signing'
          : record.activatesAt > now
            ? 'next'
            : selection.publishedKids.includes(record.kid)
              ? 'retired'
              : 'expired',
      );
    }
  }
  return states;
}
