import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertBox, postForm } from './form-fields.js';
import { html, safeUrl } from './html.js';

describe('postForm', () => {
  it('always carries the CSRF field first, then the hidden fields, escaped', () => {
    const form = postForm({
      action: safeUrl('/login')!,
      csrfToken: 'v1.1.abc',
      hidden: { interaction: '"><script>' },
      body: html`<button type="submit">Go</button>`,
    }).toString();
    assert.equal(
      form,
      '<form method="post" action="/login">\n' +
        '<input type="hidden" name="csrf_token" value="v1.1.abc">' +
        '<input type="hidden" name="interaction" value="&quot;&gt;&lt;script&gt;">\n' +
        '<button type="submit">Go</button>\n</form>',
    );
  });

  it('names a one-button form for assistive technology when asked', () => {
    const form = postForm({ action: safeUrl('/x')!, csrfToken: 't', body: html``, label: 'End <b>' });
    assert.match(form.toString(), /aria-label="End &lt;b&gt;"/);
  });
});

describe('alertBox', () => {
  it('announces errors and politely reports notices', () => {
    assert.match(alertBox('error', 'e', 'Bad <i>').toString(), /role="alert"><p>Bad &lt;i&gt;<\/p>/);
    assert.match(alertBox('notice', 'n', 'Done').toString(), /role="status"/);
  });
});
