import assert from 'node:assert/strict';
import { CSRF_FIELD } from './form-fields.js';
import { STYLESHEET } from './stylesheet.js';

/**
 * Test-only checks every rendered page must pass: no script or external resource, the one
 * hashed stylesheet, a CSRF field in every form, a label for every input, unique ids, and
 * aria-describedby pointing at something that exists. The pages are our own output, so
 * regular expressions over it are enough.
 */
export function assertPageIsSafe(page: string): void {
  assert.match(page, /^<!doctype html>\n<html lang="[A-Za-z0-9-]+">/);
  // Hostile text is escaped, so it never forms a tag: look only at the tags themselves.
  const tags = (page.match(/<[^>]*>/g) ?? []).join('\n');
  assert.doesNotMatch(
    tags,
    /<(?:script|iframe|object|embed|link|img|base)\b/i,
    'no scripts or embedded resources',
  );
  assert.doesNotMatch(
    tags,
    /\s(?:src|srcset|style|on[a-z]+)=/i,
    'no resources, inline styles or event handlers',
  );
  assert.doesNotMatch(tags, /\shref="(?!#|\/|https?:)/, 'links are http(s), relative or fragments');
  assert.doesNotMatch(STYLESHEET, /url\(|@import/, 'the stylesheet loads nothing');
  const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  assert.equal(styles.length, 1, 'exactly one inline stylesheet');
  assert.equal(styles[0]![1], STYLESHEET, 'the stylesheet whose hash is in the CSP');
  assert.equal((page.match(/<main\b/g) ?? []).length, 1, 'one main landmark');

  const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
  assert.equal(new Set(ids).size, ids.length, `ids are unique: ${ids.join(', ')}`);

  for (const form of page.match(/<form\b[\s\S]*?<\/form>/g) ?? []) {
    assert.match(form, /^<form method="post" action="[^"]+"/, 'forms post');
    assert.match(form, new RegExp(`<input type="hidden" name="${CSRF_FIELD}" value="[^"]+">`), 'CSRF field');
  }
  for (const input of page.match(/<(?:input|select|textarea)\b[^>]*>/g) ?? []) {
    if (/type="(?:hidden|submit)"/.test(input)) continue;
    const id = /\sid="([^"]+)"/.exec(input)?.[1];
    assert.ok(id, `labelled inputs need an id: ${input}`);
    assert.ok(page.includes(`<label for="${id}"`), `a label for #${id}`);
  }
  for (const [, refs] of page.matchAll(/aria-describedby="([^"]+)"/g)) {
    for (const ref of refs!.split(' '))
      assert.ok(ids.includes(ref), `aria-describedby target #${ref} exists`);
  }
}
