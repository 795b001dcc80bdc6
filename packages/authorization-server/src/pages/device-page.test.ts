import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertPageIsSafe } from './assert-page.js';
import {
  type DeviceConsentPageInput,
  renderDeviceCodePage,
  renderDeviceConsentPage,
  renderDeviceOutcomePage,
  throttledMessage,
} from './device-page.js';
import { safeUrl } from './html.js';

const HOSTILE = '<script>alert(1)</script>';
const action = safeUrl('/device')!;

const consent: DeviceConsentPageInput = {
  action: safeUrl('/device/decision')!,
  csrfToken: 'v1.1767226200.token',
  userCode: 'WDJB-MJHT',
  clientName: 'Acme Notes CLI',
  device: { userAgent: 'notes-cli/2.1 (Linux)', address: '192.0.2.7', requestedAt: 1_767_225_600 },
  scopes: ['openid', 'profile', 'offline_access', 'notes:read'],
  requiredScopes: ['openid'],
  resources: ['https://notes.example'],
  userName: 'Alice Example',
  formatDate: () => '2026-01-01 00:00 UTC',
};

describe('device pages', () => {
  it('asks for the code with one labelled field and a CSRF-protected form', () => {
    const page = renderDeviceCodePage({ action, csrfToken: 'v1.1.t' });
    assertPageIsSafe(page.html);
    assert.equal(page.status, 200);
    assert.equal(page.headers['Cache-Control'], 'no-store');
    assert.match(page.headers['Content-Security-Policy']!, /form-action 'self'; frame-ancestors 'none'/);
    assert.match(page.html, /<label for="user-code">Code<\/label>/);
    assert.match(page.html, /name="user_code" value=""/);
  });

  it('keeps what was typed and says what is wrong with it', () => {
    const unknown = renderDeviceCodePage({
      action,
      csrfToken: 't',
      userCode: HOSTILE,
      problem: { kind: 'unknown' },
    });
    assertPageIsSafe(unknown.html);
    assert.equal(unknown.status, 400);
    assert.ok(!unknown.html.includes(HOSTILE));
    assert.match(unknown.html, /That code is not valid/);
    assert.match(unknown.html, /aria-invalid="true" aria-describedby="device-code-error"/);
    const malformed = renderDeviceCodePage({ action, csrfToken: 't', problem: { kind: 'malformed' } });
    assert.match(malformed.html, /A code has 8 letters/);
  });

  it('says how long to wait when throttled, with 429 and Retry-After', () => {
    const page = renderDeviceCodePage({
      action,
      csrfToken: 't',
      problem: { kind: 'throttled', retryAfterSeconds: 125 },
    });
    assertPageIsSafe(page.html);
    assert.equal(page.status, 429);
    assert.equal(page.headers['Retry-After'], '125');
    assert.match(page.html, /Too many attempts; try again in 3 minutes\./);
    assert.equal(throttledMessage(30), 'Too many attempts; try again in 30 seconds.');
  });

  it('names the client, the device and the code, and lets optional scopes be unticked', () => {
    const page = renderDeviceConsentPage(consent);
    assertPageIsSafe(page.html);
    assert.equal(page.status, 200);
    assert.match(page.html, /<dt>Code<\/dt><dd><code>WDJB-MJHT<\/code><\/dd>/);
    // The raw User-Agent in plain parentheses: no padded <code> box inside them, so the line
    // reads "Linux (notes-cli/2.1 (Linux))" on the screen and to a screen reader.
    const device = /<dt>Device<\/dt><dd>(.*?)<\/dd>/.exec(page.html)?.[1];
    assert.equal(device, 'Linux <span class="muted">(notes-cli/2.1 (Linux))</span>');
    assert.equal(device?.replace(/<[^>]+>/g, ''), 'Linux (notes-cli/2.1 (Linux))');
    assert.match(page.html, /<dt>Address<\/dt><dd>192\.0\.2\.7<\/dd>/);
    assert.match(page.html, /Signed in as <strong>Alice Example<\/strong>/);
    assert.doesNotMatch(page.html, /value="openid"/);
    for (const scope of ['profile', 'offline_access', 'notes:read']) {
      assert.match(page.html, new RegExp(`name="scope" value="${scope}" checked`));
    }
    assert.match(page.html, /<input type="hidden" name="user_code" value="WDJB-MJHT">/);
    assert.match(page.html, /name="decision" value="approve">Approve/);
    assert.match(page.html, /name="decision" value="deny" class="secondary">Deny/);
    assert.match(page.html, /If someone sent you this code or asked you to enter it, choose Deny/);
  });

  it('escapes what the device said about itself', () => {
    const page = renderDeviceConsentPage({
      ...consent,
      clientName: HOSTILE,
      device: { userAgent: HOSTILE, address: HOSTILE, requestedAt: 0 },
    });
    assertPageIsSafe(page.html);
    assert.ok(!page.html.includes(HOSTILE));
  });

  it('omits an unknown device address and user agent', () => {
    const page = renderDeviceConsentPage({
      ...consent,
      device: { userAgent: null, address: null, requestedAt: 0 },
    });
    assert.match(page.html, /<dt>Device<\/dt><dd>Unknown device<\/dd>/);
    assert.doesNotMatch(page.html, /<dt>Address<\/dt>/);
  });

  it('ends with a page for each outcome; expired and used codes offer another try', () => {
    for (const [outcome, title, status] of [
      ['approved', 'Device connected', 200],
      ['denied', 'Request denied', 200],
      ['expired', 'This code has expired', 400],
      ['used', 'This code has already been used', 400],
    ] as const) {
      const page = renderDeviceOutcomePage({ outcome, clientName: 'Acme Notes CLI', enterAnother: action });
      assertPageIsSafe(page.html);
      assert.equal(page.status, status, outcome);
      assert.match(page.html, new RegExp(`<h1>${title}</h1>`));
      assert.equal(page.html.includes('Enter another code'), status === 400, outcome);
    }
  });
});
