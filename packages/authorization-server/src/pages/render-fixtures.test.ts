import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderAccountPage } from './account-page.js';
import { assertPageIsSafe } from './assert-page.js';
import { renderConsentPage } from './consent-page.js';
import { generateCsrfBinding, issueCsrfToken } from './csrf.js';
import { renderDeviceCodePage, renderDeviceConsentPage, renderDeviceOutcomePage } from './device-page.js';
import { renderErrorPage } from './error-page.js';
import { safeUrl } from './html.js';
import type { RenderedPage } from './layout.js';
import { renderLoginPage } from './login-page.js';
import { renderLogoutConfirmPage, renderSignedOutPage, renderStillSignedInPage } from './logout-page.js';

/**
 * Renders every page with realistic data into test-results/pages/ (gitignored), for people
 * to look at and for the browser tests to screenshot.
 */
const OUT = fileURLToPath(new URL('../../../../test-results/pages/', import.meta.url));
const T0 = 1_767_225_600;
const KEY = new Uint8Array(32).fill(1);
const binding = generateCsrfBinding();
const csrf = (purpose: string) => issueCsrfToken({ key: KEY, binding, purpose, now: T0, ttl: 1800 });
const formatDate = (s: number) =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(
    s * 1000,
  );

const notes = { clientName: 'Acme Notes', redirectUri: 'https://notes.acme.example/callback' };
const login = {
  action: safeUrl('/login')!,
  csrfToken: csrf('login:int-8c1f'),
  interactionId: 'int-8c1f',
  ...notes,
};

const fixtures: Record<string, RenderedPage> = {
  login: renderLoginPage(login),
  'login-invalid': renderLoginPage({ ...login, username: 'alice', error: { kind: 'invalid_credentials' } }),
  'login-throttled': renderLoginPage({
    ...login,
    username: 'alice',
    error: { kind: 'throttled', retryAfterSeconds: 240 },
  }),
  consent: renderConsentPage({
    action: safeUrl('/consent')!,
    csrfToken: csrf('consent:int-8c1f'),
    interactionId: 'int-8c1f',
    ...notes,
    scopes: ['openid', 'profile', 'email', 'offline_access', 'notes:read', 'notes:write'],
    scopeDescriptions: { 'notes:read': 'Read your notes' },
    resources: [{ identifier: 'https://api.acme.example/notes', name: 'Acme Notes API' }],
    userName: 'Alice Example',
  }),
  error: renderErrorPage({
    status: 400,
    kind: 'invalid_redirect_uri',
    description: 'redirect_uri is not registered for this client',
    referenceId: 'req-01JD3X7Q9M',
    clientName: 'Acme Notes',
  }),
  'error-server': renderErrorPage({ status: 500, kind: 'server_error', referenceId: 'req-01JD3X8B2K' }),
  'logout-confirm': renderLogoutConfirmPage({
    action: safeUrl('/logout')!,
    csrfToken: csrf('logout:lo-2b7e'),
    logoutId: 'lo-2b7e',
    clientName: 'Acme Notes',
    postLogoutRedirectUri: 'https://notes.acme.example/signed-out',
    userName: 'Alice Example',
  }),
  'error-logout': renderErrorPage({
    status: 400,
    kind: 'invalid_logout_request',
    description: 'client_id does not match the id_token_hint',
    referenceId: 'req-01JD3X9C4N',
  }),
  'signed-out': renderSignedOutPage({
    clientName: 'Acme Notes',
    returnUrl: safeUrl('https://notes.acme.example/'),
  }),
  'signed-out-sign-in-again': renderSignedOutPage({
    signInAgainUrl: safeUrl('https://login.acme.example/account'),
  }),
  'still-signed-in': renderStillSignedInPage({
    clientName: 'Acme Notes',
    returnUrl: safeUrl('https://notes.acme.example/'),
  }),
  account: renderAccountPage({
    userName: 'Alice Example',
    notice: 'Access for Acme Reports was revoked.',
    sessions: [
      {
        id: 'ses-1',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
        address: '203.0.113.7',
        startedAt: T0 - 3 * 86_400,
        lastSeenAt: T0 - 120,
        current: true,
      },
      {
        id: 'ses-2',
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
        address: '198.51.100.23',
        startedAt: T0 - 9 * 86_400,
        lastSeenAt: T0 - 2 * 86_400,
        current: false,
      },
    ],
    grants: [
      {
        id: 'g-1',
        clientName: 'Acme Notes',
        scopes: ['openid', 'profile', 'notes:read'],
        grantedAt: T0 - 30 * 86_400,
      },
      {
        id: 'g-2',
        clientName: 'Timesheet',
        scopes: ['openid', 'email', 'offline_access'],
        grantedAt: T0 - 2 * 86_400,
      },
    ],
    actions: {
      endSession: safeUrl('/account/sessions/end')!,
      revokeGrant: safeUrl('/account/grants/revoke')!,
    },
    csrfTokens: { endSession: csrf('end-session'), revokeGrant: csrf('revoke-grant') },
    formatDate,
    scopeDescriptions: { 'notes:read': 'Read your notes' },
  }),
  'device-code': renderDeviceCodePage({ action: safeUrl('/device')!, csrfToken: csrf('device-code') }),
  'device-code-throttled': renderDeviceCodePage({
    action: safeUrl('/device')!,
    csrfToken: csrf('device-code'),
    userCode: 'WDJB-MJHV',
    problem: { kind: 'throttled', retryAfterSeconds: 240 },
  }),
  'device-consent': renderDeviceConsentPage({
    action: safeUrl('/device/decision')!,
    csrfToken: csrf('device-decision:WDJBMJHT'),
    userCode: 'WDJB-MJHT',
    clientName: 'Acme Notes CLI',
    device: { userAgent: 'notes-cli/2.1 (Linux x86_64)', address: '192.0.2.7', requestedAt: T0 },
    scopes: ['openid', 'profile', 'offline_access', 'notes:read'],
    requiredScopes: ['openid'],
    scopeDescriptions: { 'notes:read': 'Read your notes' },
    resources: ['https://api.acme.example/notes'],
    userName: 'Alice Example',
    formatDate,
  }),
  'device-expired': renderDeviceOutcomePage({ outcome: 'expired', enterAnother: safeUrl('/device')! }),
};

/** Every page renderer the fixtures above call. */
const RENDERED = new Set<unknown>([
  renderLoginPage,
  renderConsentPage,
  renderErrorPage,
  renderLogoutConfirmPage,
  renderSignedOutPage,
  renderStillSignedInPage,
  renderAccountPage,
  renderDeviceCodePage,
  renderDeviceConsentPage,
  renderDeviceOutcomePage,
]);

describe('page fixtures', () => {
  it('has a fixture for every page renderer in pages/', async () => {
    const modules = readdirSync(new URL('.', import.meta.url)).filter(
      (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'),
    );
    const renderers: string[] = [];
    for (const name of modules) {
      const exports = (await import(`./${name.replace(/\.ts$/, '.js')}`)) as Record<string, unknown>;
      for (const [exported, value] of Object.entries(exports)) {
        // renderPage is the layout every page is put in, not a page of its own.
        if (!/^render\w+Page$/.test(exported) || exported === 'renderPage') continue;
        renderers.push(exported);
        assert.ok(RENDERED.has(value), `${name}: ${exported} has no fixture`);
      }
    }
    assert.equal(renderers.length, RENDERED.size, renderers.join(', '));
  });

  it('renders every page into test-results/pages/', () => {
    mkdirSync(OUT, { recursive: true });
    for (const [name, page] of Object.entries(fixtures)) {
      assertPageIsSafe(page.html);
      const file = `${OUT}${name}.html`;
      writeFileSync(file, page.html);
      assert.ok(existsSync(file), file);
      assert.equal(readFileSync(file, 'utf8'), page.html);
    }
  });
});
