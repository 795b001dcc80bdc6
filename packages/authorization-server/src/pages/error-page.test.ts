import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertPageIsSafe } from './assert-page.js';
import { type ErrorPageKind, renderErrorPage } from './error-page.js';
import { safeUrl } from './html.js';

const KINDS: ErrorPageKind[] = [
  'invalid_request',
  'invalid_logout_request',
  'unknown_client',
  'invalid_redirect_uri',
  'expired',
  'csrf',
  'not_found',
  'server_error',
];

describe('error page', () => {
  it('explains every kind of error with a title, what happened, what to do and a reference', () => {
    for (const kind of KINDS) {
      const page = renderErrorPage({ status: 400, kind, referenceId: 'req-7f3a' });
      assertPageIsSafe(page.html);
      assert.match(page.html, /<h1>[^<]+<\/h1>\n<p>[^<]+<\/p>\n\n<p>[^<]+<\/p>/, kind);
      assert.match(page.html, /Reference: <code>req-7f3a<\/code>/, kind);
    }
  });

  it('speaks of signing out on a refused sign-out and says nothing changed', () => {
    const page = renderErrorPage({ status: 400, kind: 'invalid_logout_request', referenceId: 'r' });
    assert.match(page.html, /<h1>This sign-out request is not valid<\/h1>/);
    assert.match(page.html, /Nothing was changed: if you were signed in, you still are\./);
    assert.doesNotMatch(page.html, /sign-in request/);
  });

  it('passes the status through, and turns anything not an error status into 500', () => {
    assert.equal(renderErrorPage({ status: 403, kind: 'csrf', referenceId: 'r' }).status, 403);
    assert.equal(renderErrorPage({ status: 200, kind: 'server_error', referenceId: 'r' }).status, 500);
    assert.equal(renderErrorPage({ status: 4000, kind: 'server_error', referenceId: 'r' }).status, 500);
    assert.equal(
      renderErrorPage({ status: 500, kind: 'server_error', referenceId: 'r' }).headers['Cache-Control'],
      'no-store',
    );
  });

  it('escapes a hostile description, reference and client name', () => {
    const page = renderErrorPage({
      status: 400,
      kind: 'invalid_request',
      description: 'redirect_uri "<script>alert(1)</script>" is not registered',
      referenceId: '<script>',
      clientName: '<img src=x onerror=alert(1)>',
      returnUrl: safeUrl('https://app.example/'),
    });
    assertPageIsSafe(page.html);
    assert.doesNotMatch(page.html, /<script>|<img/);
    assert.match(
      page.html,
      /Details: redirect_uri &quot;&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot; is not registered/,
    );
    assert.match(page.html, /<a class="button secondary" href="https:\/\/app\.example\/">Back to &lt;img/);
  });

  it('never shows a stack trace, only the first line of a description, at most 300 characters', () => {
    const error = new Error('boom');
    const page = renderErrorPage({
      status: 500,
      kind: 'server_error',
      description: error.stack,
      referenceId: 'r',
    });
    assert.match(page.html, /Details: Error: boom<\/p>/);
    assert.doesNotMatch(page.html, /\s+at\s/);
    const long = renderErrorPage({
      status: 400,
      kind: 'invalid_request',
      description: 'x'.repeat(1000),
      referenceId: 'r',
    });
    assert.match(long.html, /Details: x{299}…<\/p>/);
    const none = renderErrorPage({
      status: 400,
      kind: 'invalid_request',
      description: '\n  at secret',
      referenceId: 'r',
    });
    assert.doesNotMatch(none.html, /Details|secret/);
  });
});
