import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interactionLanguage, pageLanguage, parseUiLocales, SUPPORTED_UI_LOCALES } from './ui-locales.js';

describe('ui_locales (OIDC Core §3.1.2.1)', () => {
  it('ships English only', () => {
    assert.deepEqual(SUPPORTED_UI_LOCALES, ['en']);
  });

  it('parses space-separated BCP 47 tags in order of preference', () => {
    assert.deepEqual(parseUiLocales('fr-CA fr en'), ['fr-CA', 'fr', 'en']);
    assert.deepEqual(parseUiLocales(undefined), []);
  });

  it('drops malformed tags instead of failing the request', () => {
    assert.deepEqual(parseUiLocales('de  en" onload=x zh-Hant-TW 1x'), ['de', 'zh-Hant-TW']);
  });

  it('renders in the first supported locale, matching the primary language subtag', () => {
    assert.equal(pageLanguage(['fr-CA', 'EN-gb', 'de']), 'en');
    assert.equal(pageLanguage(['en']), 'en');
  });

  it('falls back to en when no requested locale is supported, without an error', () => {
    assert.equal(pageLanguage(['fr', 'de-CH']), 'en');
    assert.equal(pageLanguage([]), 'en');
  });

  it('reads the language of an interaction from its stored request', () => {
    assert.equal(interactionLanguage({ params: { ui_locales: 'de en' } }), 'en');
    assert.equal(interactionLanguage({ params: {} }), 'en');
  });
});
