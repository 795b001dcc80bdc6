import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { assertPageIsSafe } from './assert-page.js';
import { html } from './html.js';
import { formActionSource, pageHeaders, renderLayout, renderPage, STYLE_HASH } from './layout.js';
import { STYLESHEET } from './stylesheet.js';

describe('pageHeaders', () => {
  it('returns exactly the headers every page carries', () => {
    assert.deepEqual(pageHeaders(), {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      'Content-Security-Policy':
        `default-src 'none'; style-src '${STYLE_HASH}'; img-src 'self' data:; ` +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
  });

  it('hashes the stylesheet exactly as it appears in the page', () => {
    const expected = createHash('sha256').update(STYLESHEET).digest('base64');
    assert.equal(STYLE_HASH, `sha256-${expected}`);
    assert.ok(renderLayout({ title: 't', body: html`` }).includes(`<style>${STYLESHEET}</style>`));
  });

  it('adds only the origin of a redirect target to form-action, once', () => {
    const csp = pageHeaders({
      formActionOrigins: ['https://app.example/cb?x=1', 'https://app.example/other', 'com.example.app:/cb'],
    })['Content-Security-Policy'];
    assert.match(csp!, /; form-action 'self' https:\/\/app\.example com\.example\.app:; /);
  });

  it('refuses form-action targets that are scripts or data', () => {
    assert.throws(() => formActionSource('javascript:alert(1)'), /not a form-action target/);
    assert.throws(() => formActionSource('data:text/html,x'), /not a form-action target/);
    assert.throws(() => formActionSource("https://a.example; script-src 'unsafe-inline'"), TypeError);
    assert.equal(formActionSource('http://127.0.0.1:51234/cb'), 'http://127.0.0.1:51234');
  });
});

describe('renderLayout', () => {
  it('renders a complete, safe document with the product and client names escaped', () => {
    const page = renderLayout({
      title: 'Sign <in>',
      clientName: '<script>alert(1)</script>',
      body: html`<h1>Hello</h1>`,
      lang: 'de-CH',
    });
    assertPageIsSafe(page);
    assert.match(page, /<html lang="de-CH">/);
    assert.match(page, /<title>Sign &lt;in&gt; · Gatehouse<\/title>/);
    assert.match(page, /Gatehouse<\/span> <span class="muted">for &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(page, /<main id="main" tabindex="-1">\n<h1>Hello<\/h1>\n<\/main>/);
    assert.match(page, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  });

  it('falls back to lang="en" for a malformed language tag', () => {
    assert.match(renderLayout({ title: 't', body: html``, lang: 'en" onload="x' }), /<html lang="en">/);
  });
});

describe('renderPage', () => {
  it('pairs the document with its status and headers', () => {
    const page = renderPage({ title: 't', body: html``, status: 429, extraHeaders: { 'Retry-After': '30' } });
    assert.equal(page.status, 429);
    assert.equal(page.headers['Retry-After'], '30');
    assert.equal(page.headers['Cache-Control'], 'no-store');
  });
});
