import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AccountPageInput, renderAccountPage } from './account-page.js';
import { assertPageIsSafe } from './assert-page.js';
import { safeUrl } from './html.js';

const HOSTILE = '<script>alert(1)</script>';
const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

const input: AccountPageInput = {
  userName: 'Alice Example',
  sessions: [
    {
      id: 'ses-old',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      address: '198.51.100.9',
      startedAt: T0,
      lastSeenAt: T0 + 60,
      current: false,
    },
    {
      id: 'ses-here',
      userAgent: 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0.0.0 Mobile Safari/537.36',
      address: '203.0.113.7',
      startedAt: T0 + 3600,
      lastSeenAt: T0 + 7200,
      current: true,
    },
  ],
  grants: [
    {
      id: 'grant-1',
      clientName: 'Acme Notes',
      scopes: ['openid', 'profile', 'notes:read'],
      grantedAt: T0 + 86_400,
    },
  ],
  actions: { endSession: safeUrl('/account/sessions/end')!, revokeGrant: safeUrl('/account/grants/revoke')! },
  csrfTokens: { endSession: 'csrf-end', revokeGrant: 'csrf-revoke' },
  formatDate: (s) => `day ${(s - T0) / 3600}h`,
  scopeDescriptions: { 'notes:read': 'Read your notes' },
};

describe('account page', () => {
  it('lists sessions, this device first, with device, address and dates from the formatter', () => {
    const page = renderAccountPage(input);
    assertPageIsSafe(page.html);
    assert.equal(page.status, 200);
    const here = page.html.indexOf('Chrome on Android');
    const other = page.html.indexOf('Firefox on Linux');
    assert.ok(here > 0 && other > here, 'current session first');
    assert.match(page.html, /Chrome on Android<\/span><span class="tag">This device<\/span>/);
    assert.match(page.html, /<dt>Address<\/dt><dd>203\.0\.113\.7<\/dd>/);
    assert.match(
      page.html,
      /<dt>Started<\/dt><dd><time datetime="2026-01-01T01:00:00\.000Z">day 1h<\/time><\/dd>/,
    );
    assert.match(
      page.html,
      /<dt>Last active<\/dt><dd><time datetime="2026-01-01T02:00:00\.000Z">day 2h<\/time>/,
    );
  });

  it('gives each session its own End session form with the CSRF token and session id', () => {
    const page = renderAccountPage(input).html;
    for (const id of ['ses-old', 'ses-here']) {
      assert.match(
        page,
        new RegExp(
          `<form method="post" action="/account/sessions/end">\\n<input type="hidden" name="csrf_token" value="csrf-end"><input type="hidden" name="session_id" value="${id}">`,
        ),
      );
    }
    assert.match(
      page,
      />Sign out<span class="visually-hidden"> on Chrome on Android, this device<\/span><\/button>/,
    );
    assert.match(page, />End session<span class="visually-hidden"> on Firefox on Linux<\/span><\/button>/);
  });

  it('lists granted apps with scopes in plain words, the date and a Revoke form', () => {
    const page = renderAccountPage(input).html;
    assert.match(page, /<span class="row-title">Acme Notes<\/span>/);
    assert.match(page, /<dt>Can<\/dt><dd>Know who you are; See your profile; Read your notes<\/dd>/);
    assert.match(page, /<dt>Granted<\/dt><dd><time datetime="2026-01-02T00:00:00\.000Z">day 24h<\/time>/);
    assert.match(
      page,
      /<input type="hidden" name="csrf_token" value="csrf-revoke"><input type="hidden" name="grant_id" value="grant-1">/,
    );
    assert.match(page, />Revoke<span class="visually-hidden"> access for Acme Notes<\/span><\/button>/);
  });

  it('shows empty states and a notice', () => {
    const page = renderAccountPage({
      ...input,
      sessions: [],
      grants: [],
      notice: 'Access for Acme Notes was revoked.',
    });
    assertPageIsSafe(page.html);
    assert.match(page.html, /role="status"><p>Access for Acme Notes was revoked\.<\/p>/);
    assert.match(page.html, /No active sessions\./);
    assert.match(page.html, /You have not given any app access to your account\./);
    assert.doesNotMatch(page.html, /<form/);
  });

  it('escapes hostile names, user agents, addresses, ids and scopes', () => {
    const page = renderAccountPage({
      ...input,
      userName: HOSTILE,
      notice: HOSTILE,
      sessions: [
        { id: HOSTILE, userAgent: HOSTILE, address: HOSTILE, startedAt: T0, lastSeenAt: T0, current: true },
      ],
      grants: [{ id: HOSTILE, clientName: HOSTILE, scopes: [HOSTILE], grantedAt: T0 }],
      formatDate: () => HOSTILE,
    });
    assertPageIsSafe(page.html);
    assert.doesNotMatch(page.html, /<script>/);
  });
});
