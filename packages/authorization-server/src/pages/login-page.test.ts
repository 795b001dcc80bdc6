import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertPageIsSafe } from './assert-page.js';
import { safeUrl } from './html.js';
import {
  describeWait,
  INVALID_CREDENTIALS_MESSAGE,
  type LoginPageInput,
  renderLoginPage,
} from './login-page.js';

const HOSTILE = '"><script>alert(1)</script>';

const input: LoginPageInput = {
  action: safeUrl('/login')!,
  csrfToken: 'v1.1767226200.token',
  interactionId: 'int-123',
  clientName: 'Acme Notes',
  redirectUri: 'https://notes.acme.example/callback',
};

describe('login page', () => {
  it('asks for a username and password for the named client', () => {
    const page = renderLoginPage(input);
    assertPageIsSafe(page.html);
    assert.equal(page.status, 200);
    assert.match(
      page.html,
      /<h1>Sign in<\/h1>\n<p class="lead">to continue to <strong>Acme Notes<\/strong><\/p>/,
    );
    assert.match(page.html, /<input type="hidden" name="csrf_token" value="v1\.1767226200\.token">/);
    assert.match(page.html, /<input type="hidden" name="interaction_id" value="int-123">/);
    assert.match(page.html, /<label for="username">Username<\/label>/);
    assert.match(page.html, /id="username" name="username" value="" autocomplete="username"/);
    assert.match(page.html, /type="password" id="password" name="password" autocomplete="current-password"/);
    assert.doesNotMatch(page.html, /role="alert"/);
  });

  it('lets the POST redirect to the client in its CSP, and nowhere else', () => {
    const csp = renderLoginPage(input).headers['Content-Security-Policy']!;
    assert.match(csp, /form-action 'self' https:\/\/notes\.acme\.example;/);
    const own = renderLoginPage({ ...input, redirectUri: undefined, clientName: undefined });
    assert.match(own.headers['Content-Security-Policy']!, /form-action 'self';/);
    assert.match(own.html, /with your Gatehouse account/);
  });

  it('escapes a hostile client name, login_hint and interaction id', () => {
    const page = renderLoginPage({
      ...input,
      clientName: HOSTILE,
      username: HOSTILE,
      interactionId: HOSTILE,
    });
    assertPageIsSafe(page.html);
    assert.doesNotMatch(page.html, /<script>/);
    assert.match(
      page.html,
      /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;" autocomplete="username"/,
    );
    assert.match(page.html, /<strong>&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/strong>/);
  });

  it('prefills the username and then focuses the password', () => {
    const page = renderLoginPage({ ...input, username: 'alice@example.com' });
    assert.match(
      page.html,
      /value="alice@example\.com" autocomplete="username" autocapitalize="none" spellcheck="false" required>/,
    );
    assert.match(page.html, /autocomplete="current-password" required autofocus>/);
  });

  it('shows one generic message for wrong credentials, linked to both fields', () => {
    const page = renderLoginPage({ ...input, username: 'alice', error: { kind: 'invalid_credentials' } });
    assertPageIsSafe(page.html);
    assert.equal(page.status, 400);
    assert.ok(
      page.html.includes(
        `<div class="alert alert-error" id="login-error" role="alert"><p>${INVALID_CREDENTIALS_MESSAGE}</p></div>`,
      ),
    );
    assert.equal(page.html.match(/aria-invalid="true" aria-describedby="login-error"/g)?.length, 2);
  });

  it('after a failure with an empty username, focuses the username again', () => {
    const page = renderLoginPage({ ...input, username: '', error: { kind: 'invalid_credentials' } });
    assertPageIsSafe(page.html);
    assert.equal(page.status, 400);
    assert.match(page.html, /name="username" value="" [^>]*autofocus>/);
    assert.doesNotMatch(page.html, /autocomplete="current-password"[^>]*autofocus/);
  });

  it('says when to try again after too many attempts, with Retry-After', () => {
    const page = renderLoginPage({ ...input, error: { kind: 'throttled', retryAfterSeconds: 89.2 } });
    assertPageIsSafe(page.html);
    assert.equal(page.status, 429);
    assert.equal(page.headers['Retry-After'], '90');
    assert.match(page.html, /Too many sign-in attempts\. Please wait 2 minutes and try again\./);
    assert.doesNotMatch(page.html, /aria-invalid="true"/);
  });

  it('rounds waits up', () => {
    assert.deepEqual([0, 1, 30, 60, 61, 3600].map(describeWait), [
      '1 second',
      '1 second',
      '30 seconds',
      '1 minute',
      '2 minutes',
      '60 minutes',
    ]);
  });
});
