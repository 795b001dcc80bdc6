import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html, SafeHtml, safeUrl } from './html.js';

describe('html`...`', () => {
  it('escapes & < > " \' and backtick in interpolated text', () => {
    const hostile = `<script>alert("x")</script> & 'q' \`t\``;
    assert.equal(
      html`<p>${hostile}</p>`.toString(),
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &#96;t&#96;</p>',
    );
  });

  it('escapes inside quoted attribute values so a value cannot close the attribute', () => {
    const value = '" autofocus onfocus="alert(1)';
    assert.equal(
      html`<input value="${value}">`.toString(),
      '<input value="&quot; autofocus onfocus=&quot;alert(1)">',
    );
  });

  it('does not escape fragments made by html, and escapes each element of an array', () => {
    const items = ['<a>', 'b&c'].map((x) => html`<li>${x}</li>`);
    assert.equal(html`<ul>${items}</ul>`.toString(), '<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>');
    assert.equal(html`<p>${['<', html`<b>x</b>`]}</p>`.toString(), '<p>&lt;<b>x</b></p>');
  });

  it('renders nothing for false, null and undefined, and numbers as text', () => {
    assert.equal(html`<p>${false}${null}${undefined}${42}</p>`.toString(), '<p>42</p>');
  });

  it('refuses an unquoted attribute value', () => {
    assert.throws(() => html`<input value=${'x onfocus=alert(1)'}>`, /unquoted attribute value/);
  });

  it('refuses a plain string, or nothing, at the start of href, action, formaction and src', () => {
    const url = 'javascript:alert(1)';
    assert.throws(() => html`<a href="${url}">x</a>`, /SafeUrl/);
    assert.throws(() => html`<a class="x" href=" ${url}">x</a>`, /SafeUrl/);
    assert.throws(() => html`<form method="post" action="${'/login'}"></form>`, /SafeUrl/);
    assert.throws(() => html`<button formaction='${'/x'}'>x</button>`, /SafeUrl/);
    assert.throws(() => html`<img src="${[url]}">`, /SafeUrl/);
    assert.throws(() => html`<a href="${null}${url}">x</a>`, /SafeUrl/);
    assert.equal(html`<a href="${safeUrl('/a?b=1&c=2')}">x</a>`.toString(), '<a href="/a?b=1&amp;c=2">x</a>');
    // After a fixed start the scheme is settled, so a plain value may follow (escaped).
    assert.equal(
      html`<a href="/account?tab=${'a&b'}">x</a>`.toString(),
      '<a href="/account?tab=a&amp;b">x</a>',
    );
  });

  it('refuses holes in event handlers, style attributes and scripts, where escaped text is code', () => {
    assert.throws(() => html`<button onclick="go('${'x'}')">x</button>`, /onclick attribute/);
    assert.throws(() => html`<p style="color:${'red'}">x</p>`, /style attribute/);
    assert.throws(() => html`<script>var x = ${'1'};</script>`, /inside a <script>/);
  });

  it('admits only html fragments between attributes, and only text in attribute values', () => {
    const invalid = html` aria-invalid="true"`;
    assert.equal(html`<input id="a"${invalid}${false}>`.toString(), '<input id="a" aria-invalid="true">');
    assert.throws(() => html`<input id="a" ${'autofocus onfocus=alert(1)'}>`, /only html`` fragments/);
    assert.throws(() => html`<input value="${html`<b>`}">`, /takes text, not markup/);
  });

  it('keeps track of context across fragments, closing quotes and > in text', () => {
    const page = html`<p title="a > b">${'<'}</p><a class="${'c'}" href="${safeUrl('/x')}">${'y'}</a>`;
    assert.equal(page.toString(), '<p title="a > b">&lt;</p><a class="c" href="/x">y</a>');
  });

  it('refuses values that are neither text, numbers nor fragments at run time too', () => {
    const sneaky = { toString: () => '<script>' } as unknown as string;
    assert.throws(() => html`<p>${sneaky}</p>`, /cannot interpolate/);
  });

  it('makes unsafe use a type error', () => {
    // @ts-expect-error the constructor is private: no string becomes SafeHtml except through html``
    assert.throws(() => new SafeHtml('<script>', Symbol()));
    // @ts-expect-error an object that looks like SafeHtml is not SafeHtml
    const fake: SafeHtml = { toString: () => '<script>' };
    // @ts-expect-error objects and booleans other than false are not interpolable
    assert.throws(() => html`<p>${{ a: 1 }}${true}${fake}</p>`);
  });

  it('escapeHtml leaves ordinary text alone', () => {
    assert.equal(escapeHtml('Ünïcode text – fine'), 'Ünïcode text – fine');
  });
});

describe('safeUrl', () => {
  it('admits http, https and same-origin relative URLs', () => {
    for (const url of [
      'https://app.example/cb?x=1',
      'http://localhost:8080/cb',
      '/login',
      'account?x=1',
      '#main',
    ]) {
      assert.equal(safeUrl(url)?.toString(), url, url);
    }
  });

  it('refuses other schemes, other-origin "relative" URLs and control characters', () => {
    const refused = [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'java\tscript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      '//evil.example/x',
      '/\\evil.example/x',
      'https://app.example/a b',
      '',
    ];
    for (const url of refused) assert.equal(safeUrl(url), null, JSON.stringify(url));
  });
});
