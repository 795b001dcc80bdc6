import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertPageIsSafe } from './assert-page.js';
import { type ConsentPageInput, renderConsentPage } from './consent-page.js';
import { safeUrl } from './html.js';

const HOSTILE = '<script>alert(1)</script>';

const input: ConsentPageInput = {
  action: safeUrl('/consent')!,
  csrfToken: 'v1.1767226200.token',
  interactionId: 'int-123',
  clientName: 'Acme Notes',
  redirectUri: 'https://notes.acme.example/callback',
  scopes: ['openid', 'profile', 'email', 'offline_access', 'notes:read'],
  scopeDescriptions: { 'notes:read': 'Read your notes' },
  resources: [{ identifier: 'https://api.acme.example/notes', name: 'Acme Notes API' }],
  userName: 'Alice Example',
};

describe('consent page', () => {
  it('lists every requested scope in plain words', () => {
    const page = renderConsentPage(input);
    assertPageIsSafe(page.html);
    assert.equal(page.status, 200);
    for (const title of [
      'Know who you are',
      'See your profile',
      'See your email address',
      'Stay connected',
      'Read your notes',
    ]) {
      assert.ok(page.html.includes(`<span class="scope-title">${title}<`), title);
    }
  });

  it('shows required scopes without a checkbox and optional ones as ticked checkboxes', () => {
    const page = renderConsentPage(input).html;
    assert.doesNotMatch(page, /value="openid"/);
    assert.match(
      page,
      /<li class="scope-required"><span><span class="scope-title">Know who you are<span class="tag">Required<\/span>/,
    );
    for (const [i, scope] of ['profile', 'email', 'offline_access', 'notes:read'].entries()) {
      const id = `scope-${i + 1}`;
      assert.ok(
        page.includes(
          `<label for="${id}"><input type="checkbox" id="${id}" name="scope" value="${scope}" checked>`,
        ),
        scope,
      );
    }
    assert.match(page, /Untick anything you do not want to share\./);
  });

  it('does not invite unticking when every scope is required', () => {
    const page = renderConsentPage({ ...input, scopes: ['openid'] }).html;
    assert.doesNotMatch(page, /type="checkbox"/);
    assert.doesNotMatch(page, /Untick/);
  });

  it('names the client, the services and the host the browser returns to', () => {
    const page = renderConsentPage(input);
    assert.match(page.html, /<h1><strong>Acme Notes<\/strong> wants to access your account<\/h1>/);
    assert.match(
      page.html,
      /<span class="row-title">Acme Notes API<\/span><br><code>https:\/\/api\.acme\.example\/notes<\/code>/,
    );
    assert.match(page.html, /you will return to <strong>notes\.acme\.example<\/strong>/);
    assert.match(
      page.headers['Content-Security-Policy']!,
      /form-action 'self' https:\/\/notes\.acme\.example;/,
    );
  });

  it('offers Approve and Deny as two submit buttons of one decision field', () => {
    const page = renderConsentPage(input).html;
    assert.match(page, /<button type="submit" name="decision" value="approve">Approve<\/button>/);
    assert.match(page, /<button type="submit" name="decision" value="deny" class="secondary">Deny<\/button>/);
    assert.match(page, /<input type="hidden" name="interaction_id" value="int-123">/);
  });

  it('escapes a hostile client name, scope, scope description and resource', () => {
    const page = renderConsentPage({
      ...input,
      clientName: HOSTILE,
      userName: HOSTILE,
      scopes: ['openid', `x${HOSTILE}`, 'api:x'],
      scopeDescriptions: { 'api:x': HOSTILE },
      resources: [{ identifier: HOSTILE }],
    });
    assertPageIsSafe(page.html);
    assert.doesNotMatch(page.html, /<script>/);
    assert.match(page.html, /value="x&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
    assert.match(page.html, /<title>Allow &lt;script&gt;alert\(1\)&lt;\/script&gt;\? · Gatehouse<\/title>/);
  });
});
