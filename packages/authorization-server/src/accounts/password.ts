import { type Algorithm, hash, parseOptions, type Version, verify } from '@node-rs/argon2';

/** The cost of one argon2id hash. */
export interface PasswordHashParameters {
  /** Memory in KiB (`m=` in the PHC string). */
  memoryCost: number;
  /** Passes over the memory (`t=`). */
  timeCost: number;
  /** Lanes (`p=`). */
  parallelism: number;
}

/**
 * OWASP Password Storage Cheat Sheet, first argon2id option: "a minimum configuration of
 * 19 MiB of memory, an iteration count of 2, and 1 degree of parallelism". Hashes made with
 * other parameters still verify, and are re-hashed with these at the next sign-in.
 */
export const PASSWORD_HASH_PARAMETERS: Readonly<PasswordHashParameters> = Object.freeze({
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

// The values of @node-rs/argon2's `const enum`s, which isolatedModules cannot read at run time.
const ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;

/**
 * A hash, with the current parameters, of a random password nobody kept. Verifying against
 * it when there is no user (or no stored hash) costs what a real verification costs, so the
 * time of a failed sign-in does not tell whether the account exists. A test keeps its
 * parameters equal to PASSWORD_HASH_PARAMETERS.
 */
export const DUMMY_PASSWORD_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$2szcWoo3Jhzq4WmFJ5ZV5Q$egaxaYBLWxHeOSCWRpOsGrQ4gpCg5+UIo3N5vqKCJ40';

/**
 * Hashes a password with argon2id and a fresh random salt, off the event loop (libuv's thread
 * pool). The password is NFKC-normalized first (NIST SP 800-63B §5.1.1.2), so the same
 * password typed on keyboards that compose accents differently still matches.
 *
 * @example
 * ```ts
 * const stored = await hashPassword('correct horse battery staple');
 * // '$argon2id$v=19$m=19456,t=2,p=1$…$…'
 * ```
 */
export function hashPassword(
  password: string,
  parameters: PasswordHashParameters = PASSWORD_HASH_PARAMETERS,
): Promise<string> {
  return hash(password.normalize('NFKC'), { ...parameters, algorithm: ARGON2ID, version: VERSION_0X13 });
}

/**
 * Whether `password` matches `storedHash`. With no stored hash, or one that cannot be read,
 * it verifies against DUMMY_PASSWORD_HASH and answers false, taking the same time.
 */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  const candidate = password.normalize('NFKC');
  if (storedHash === null || !isArgon2idHash(storedHash)) {
    await verify(DUMMY_PASSWORD_HASH, candidate);
    return false;
  }
  return verify(storedHash, candidate);
}

/** True when `storedHash` was made with other parameters than `parameters` (or is not argon2id v1.3). */
export function needsRehash(
  storedHash: string,
  parameters: PasswordHashParameters = PASSWORD_HASH_PARAMETERS,
): boolean {
  const used = readHashParameters(storedHash);
  return (
    used === undefined ||
    used.memoryCost !== parameters.memoryCost ||
    used.timeCost !== parameters.timeCost ||
    used.parallelism !== parameters.parallelism
  );
}

/** Whether `value` is an argon2id (v1.3) hash in PHC string form that this library can verify. */
export function isArgon2idHash(value: string): boolean {
  return readHashParameters(value) !== undefined;
}

function readHashParameters(value: string): PasswordHashParameters | undefined {
  if (!value.startsWith('$argon2id$')) return undefined;
  try {
    const parsed = parseOptions(value);
    if (parsed.algorithm !== ARGON2ID || parsed.version !== VERSION_0X13) return undefined;
    return { memoryCost: parsed.memoryCost, timeCost: parsed.timeCost, parallelism: parsed.parallelism };
  } catch {
    return undefined;
  }
}
