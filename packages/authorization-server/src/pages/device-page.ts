import { alertBox, postForm } from './form-fields.js';
import { html, type SafeUrl } from './html.js';
import { type RenderedPage, renderPage } from './layout.js';
import { describeWait } from './login-page.js';
import { decisionButtons, scopeChecklist } from './scope-checklist.js';
import { describeUserAgent } from './user-agent.js';

/** The form field names the device pages' POSTs carry; the routes read exactly these. */
export const DEVICE_FIELDS = { userCode: 'user_code', scope: 'scope', decision: 'decision' } as const;

/** Why the code entered could not be used; each has fixed wording. */
export type DeviceCodeProblem =
  | { readonly kind: 'malformed' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number };

export interface DeviceCodePageInput {
  /** Where the form posts (the verification URI). */
  readonly action: SafeUrl;
  readonly csrfToken: string;
  /** Prefills the field: what the person typed, or the code from verification_uri_complete. */
  readonly userCode?: string | undefined;
  readonly problem?: DeviceCodeProblem | undefined;
  readonly lang?: string | undefined;
}

const CODE_ERROR_ID = 'device-code-error';

/** "Too many attempts; try again in N minutes" (RFC 8628 §5.1 rate limiting, said plainly). */
export function throttledMessage(retryAfterSeconds: number): string {
  return `Too many attempts; try again in ${describeWait(retryAfterSeconds)}.`;
}

function problemMessage(problem: DeviceCodeProblem): string {
  switch (problem.kind) {
    case 'malformed':
      return 'A code has 8 letters, like WDJB-MJHT. Check it and try again.';
    case 'unknown':
      return 'That code is not valid. Check the code shown on your device and try again.';
    case 'throttled':
      return throttledMessage(problem.retryAfterSeconds);
  }
}

/**
 * Step 1 of the verification page (RFC 8628 §3.3): the person types the code their device
 * shows. Dashes, spaces and case do not matter (the route normalises them).
 */
export function renderDeviceCodePage(input: DeviceCodePageInput): RenderedPage {
  const problem = input.problem;
  const message = problem && problemMessage(problem);
  const describedBy = message && html` aria-describedby="${CODE_ERROR_ID}"`;
  const invalid = problem && problem.kind !== 'throttled' && html` aria-invalid="true"`;
  const body = html`<div class="card narrow">
<h1>Connect a device</h1>
<p class="lead">Enter the code shown on the device or in the application you are signing in to.</p>
${message && alertBox('error', CODE_ERROR_ID, message)}
${postForm({
  action: input.action,
  csrfToken: input.csrfToken,
  body: html`<div class="field">
<label for="user-code">Code</label>
<input type="text" id="user-code" name="${DEVICE_FIELDS.userCode}" value="${input.userCode ?? ''}" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" maxlength="32" placeholder="XXXX-XXXX" required autofocus${invalid}${describedBy}>
</div>
<div class="actions"><button type="submit">Continue</button></div>`,
})}
<p class="muted">Only enter a code you got from a device you are setting up yourself. Gatehouse will never ask you for a code in an email or a call.</p>
</div>`;
  const status = problem?.kind === 'throttled' ? 429 : problem ? 400 : 200;
  return renderPage({
    title: 'Connect a device',
    lang: input.lang,
    body,
    status,
    extraHeaders:
      problem?.kind === 'throttled'
        ? { 'Retry-After': String(Math.max(1, Math.ceil(problem.retryAfterSeconds))) }
        : {},
  });
}

export interface DeviceConsentPageInput {
  readonly action: SafeUrl;
  readonly csrfToken: string;
  /** The user code, formatted (`WDJB-MJHT`): shown so the person can compare it with the device. */
  readonly userCode: string;
  readonly clientName: string;
  /** What the device said about itself when it asked: its User-Agent and network address. */
  readonly device: {
    readonly userAgent: string | null;
    readonly address: string | null;
    /** Epoch seconds of the request. */
    readonly requestedAt: number;
  };
  readonly scopes: readonly string[];
  /** Requested scopes the person cannot untick (`openid`). */
  readonly requiredScopes: readonly string[];
  readonly scopeDescriptions?: Readonly<Record<string, string>> | undefined;
  readonly resources: readonly string[];
  /** Who is signed in, so a shared computer does not approve for the wrong account. */
  readonly userName?: string | undefined;
  /** Formats epoch seconds for people. */
  readonly formatDate: (epochSeconds: number) => string;
  readonly lang?: string | undefined;
}

/**
 * Step 2: which client on which device asks for what, and Approve / Deny. RFC 8628 §5.4
 * (remote phishing): a code can be sent to a victim by someone else, so the page never
 * approves by itself, even for a code from verification_uri_complete: it names the client and
 * the device, shows the code to compare, warns, and waits for a click.
 */
export function renderDeviceConsentPage(input: DeviceConsentPageInput): RenderedPage {
  const required = new Set(input.requiredScopes);
  const items = scopeChecklist({
    scopes: input.scopes,
    required,
    scopeDescriptions: input.scopeDescriptions,
    fieldName: DEVICE_FIELDS.scope,
  });
  const hasOptional = input.scopes.some((scope) => !required.has(scope));
  const { device } = input;
  const when = new Date(device.requestedAt * 1000).toISOString();

  const body = html`<div class="card">
<h1><strong>${input.clientName}</strong> wants to access your account from a device</h1>
<p class="lead">${input.userName && html`Signed in as <strong>${input.userName}</strong>. `}Check that the code below is the one your device shows.</p>
<dl class="facts">
<dt>Code</dt><dd><code>${input.userCode}</code></dd>
<dt>Application</dt><dd>${input.clientName}</dd>
<dt>Device</dt><dd>${describeUserAgent(device.userAgent ?? undefined)}${device.userAgent && html` <span class="muted">(${device.userAgent})</span>`}</dd>
${device.address && html`<dt>Address</dt><dd>${device.address}</dd>`}
<dt>Asked</dt><dd><time datetime="${when}">${input.formatDate(device.requestedAt)}</time></dd>
</dl>
${alertBox(
  'notice',
  'device-warning',
  'Approve only if you started this yourself on a device in front of you. If someone sent you this code or asked you to enter it, choose Deny.',
)}
${postForm({
  action: input.action,
  csrfToken: input.csrfToken,
  hidden: { [DEVICE_FIELDS.userCode]: input.userCode },
  body: html`<fieldset class="plain">
<legend><h2>This will allow ${input.clientName} to:</h2></legend>
${hasOptional && html`<p class="muted">Untick anything you do not want to share.</p>`}
<ul class="scopes">
${items}
</ul>
</fieldset>
${
  input.resources.length > 0 &&
  html`<h2>For these services</h2>
<ul class="rows">${input.resources.map(
    (r) => html`<li class="row"><div class="row-main"><code>${r}</code></div></li>`,
  )}</ul>`
}
<p class="muted">You can take this access back at any time on your account page.</p>
${decisionButtons(DEVICE_FIELDS.decision)}`,
})}
</div>`;
  return renderPage({
    title: `Allow ${input.clientName}?`,
    clientName: input.clientName,
    lang: input.lang,
    body,
  });
}

/** How a device authorization ended, or why its code cannot be used any more. */
export type DeviceOutcome = 'approved' | 'denied' | 'expired' | 'used';

const OUTCOMES: Record<DeviceOutcome, { title: string; text: string; status: number }> = {
  approved: {
    title: 'Device connected',
    text: 'You can return to your device; it will continue on its own in a few seconds.',
    status: 200,
  },
  denied: {
    title: 'Request denied',
    text: 'The device was not given access. You can close this page.',
    status: 200,
  },
  expired: {
    title: 'This code has expired',
    text: 'Codes work for a few minutes only. Start again on your device to get a new code.',
    status: 400,
  },
  used: {
    title: 'This code has already been used',
    text: 'Each code works once. If you did not use it yourself, start again on your device.',
    status: 400,
  },
};

export interface DeviceOutcomePageInput {
  readonly outcome: DeviceOutcome;
  readonly clientName?: string | undefined;
  /** Where "Enter another code" leads (the verification URI). */
  readonly enterAnother: SafeUrl;
  readonly lang?: string | undefined;
}

/** Step 3, or an error a person can act on: approved, denied, expired or already used. */
export function renderDeviceOutcomePage(input: DeviceOutcomePageInput): RenderedPage {
  const { title, text, status } = OUTCOMES[input.outcome];
  const finished = input.outcome === 'approved' || input.outcome === 'denied';
  const body = html`<div class="card narrow">
<h1>${title}</h1>
${input.clientName && html`<p class="lead">${input.clientName}</p>`}
<p>${text}</p>
${!finished && html`<p><a class="button secondary" href="${input.enterAnother}">Enter another code</a></p>`}
</div>`;
  return renderPage({ title, clientName: input.clientName, lang: input.lang, body, status });
}
