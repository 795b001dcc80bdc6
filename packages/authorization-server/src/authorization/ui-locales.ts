import { type ParamsRecord, paramsFromRecord } from './request-params.js';

/**
 * The languages the pages are written in, as BCP 47 tags: what discovery advertises as
 * `ui_locales_supported` (OIDC Discovery §3).
 */
export const SUPPORTED_UI_LOCALES: readonly string[] = ['en'];

// RFC 5646 §2.1, loosely: a 2-8 letter primary subtag, then subtags of 1-8 letters or digits.
// Loose on purpose: a tag is only ever matched against SUPPORTED_UI_LOCALES, never echoed.
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/;

/**
 * OIDC Core §3.1.2.1 `ui_locales`: "space-separated list of BCP47 [RFC5646] language tag
 * values, ordered by preference", and "An error SHOULD NOT result if some or all of the
 * requested locales are not supported". So malformed tags are dropped, never refused.
 */
export function parseUiLocales(value: string | undefined): string[] {
  return (value ?? '').split(' ').filter((tag) => LANGUAGE_TAG.test(tag));
}

/**
 * The page language for the preferred `uiLocales`: the first supported one, compared by
 * primary language subtag case-insensitively (RFC 5646 §2.1.1: tags are case-insensitive; a
 * request for `en-GB` is served by the `en` text). Without a match, the default, `en`.
 */
export function pageLanguage(uiLocales: readonly string[]): string {
  for (const tag of uiLocales) {
    const primary = tag.split('-')[0]!.toLowerCase();
    const supported = SUPPORTED_UI_LOCALES.find((locale) => locale.toLowerCase() === primary);
    if (supported) return supported;
  }
  return SUPPORTED_UI_LOCALES[0]!;
}

/** The page language of a pending interaction, from its authorization request's `ui_locales`. */
export function interactionLanguage(interaction: { params: ParamsRecord }): string {
  return pageLanguage(parseUiLocales(paramsFromRecord(interaction.params).get('ui_locales')));
}
