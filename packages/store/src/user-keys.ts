/**
 * The forms usernames and emails are compared in. The store keeps them beside the values as
 * given, with a unique index on each, so uniqueness holds for any case or width the value was
 * typed in.
 */

/**
 * A username as compared: NFKC (so full-width `ＡＬＩＣＥ` is `ALICE`), then lower case. Uses
 * the locale-independent lower-casing, so the result is the same on every node.
 */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

/**
 * An email address as compared: all of it lower-cased. RFC 5321 §2.4 leaves the local part's
 * case to the receiving host, but no mail provider in use tells `Bob@` from `bob@`, and two
 * accounts that differ only there would be a trap for people, not a feature.
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').toLowerCase();
}
