import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertPageIsSafe } from './assert-page.js';
import { safeUrl } from './html.js';
import { renderLogoutConfirmPage, renderSignedOutPage, renderStillSignedInPage } from './logout-page.js';

const HOSTILE = '<script>alert(1)</script>';

describe('logout confirmation page', () => {
  it('asks to sign out of Gatehouse, naming the client that asked', () => {
    const page = renderLogoutConfirmPage({
      action: safeUrl('/logout')!,
      csrfToken: 'v1.1.t',
      logoutId: 'lo-1',
      clientName: 'Acme Notes',
      postLogoutRedirectUri: 'https://notes.acme.example/bye',
      userName: 'Alice',
    });
    assertPageIsSafe(page.html);
    assert.equal(page.status, 200);
    assert.match(page.html, /<h1>Sign out of Gatehouse\?<\/h1>/);
    assert.match(page.html, /<strong>Acme Notes<\/strong> asked to sign you out\./);
    assert.match(page.html, /<input type="hidden" name="logout_id" value="lo-1">/);
    assert.match(page.html, /<button type="submit" name="decision" value="logout">Sign out<\/button>/);
    assert.match(
      page.html,
      /<button type="submit" name="decision" value="cancel" class="secondary">Stay signed in/,
    );
    assert.match(
      page.headers['Content-Security-Policy']!,
      /form-action 'self' https:\/\/notes\.acme\.example;/,
    );
  });

  it('works without a known client', () => {
    const page = renderLogoutConfirmPage({ action: safeUrl('/logout')!, csrfToken: 't' });
    assertPageIsSafe(page.html);
    assert.match(page.html, /You asked to sign out\./);
    assert.doesNotMatch(page.html, /logout_id/);
    assert.match(page.headers['Content-Security-Policy']!, /form-action 'self';/);
  });

  it('escapes a hostile client and user name', () => {
    const page = renderLogoutConfirmPage({
      action: safeUrl('/logout')!,
      csrfToken: 't',
      clientName: HOSTILE,
      userName: HOSTILE,
      logoutId: HOSTILE,
    });
    assertPageIsSafe(page.html);
    assert.doesNotMatch(page.html, /<script>/);
  });
});

describe('signed-out page', () => {
  it('confirms the sign-out and offers a way back when one is known', () => {
    const page = renderSignedOutPage({
      clientName: HOSTILE,
      returnUrl: safeUrl('https://notes.acme.example/'),
    });
    assertPageIsSafe(page.html);
    assert.match(page.html, /<h1>You have signed out<\/h1>/);
    assert.match(page.html, /href="https:\/\/notes\.acme\.example\/">Back to &lt;script&gt;/);
    assert.doesNotMatch(renderSignedOutPage().html, /Back to/);
  });

  it('offers signing in again at the account page when there is no client to go back to', () => {
    const signInAgainUrl = safeUrl('https://issuer.example/account');
    const page = renderSignedOutPage({ signInAgainUrl });
    assertPageIsSafe(page.html);
    assert.match(
      page.html,
      /<p><a class="button secondary" href="https:\/\/issuer\.example\/account">Sign in again<\/a><\/p>/,
    );
    assert.doesNotMatch(page.html, /Back to/);
    // With the client's home page, that is the one way onward.
    const withClient = renderSignedOutPage({
      clientName: 'Acme Notes',
      returnUrl: safeUrl('https://notes.acme.example/'),
      signInAgainUrl,
    });
    assert.match(withClient.html, /Back to Acme Notes/);
    assert.doesNotMatch(withClient.html, /Sign in again/);
    // Without either, the page says what happened and offers no link.
    assert.doesNotMatch(renderSignedOutPage().html, /class="button/);
  });
});

describe('still-signed-in page', () => {
  it('says the session continues and offers the way back to the client', () => {
    const page = renderStillSignedInPage({
      clientName: HOSTILE,
      returnUrl: safeUrl('https://notes.acme.example/'),
    });
    assertPageIsSafe(page.html);
    assert.equal(page.status, 200);
    assert.match(page.html, /<h1>You are still signed in<\/h1>/);
    assert.match(page.html, /href="https:\/\/notes\.acme\.example\/">Back to &lt;script&gt;/);
    assert.doesNotMatch(renderStillSignedInPage().html, /Back to/);
  });
});
