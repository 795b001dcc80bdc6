import { alertBox, postForm } from './form-fields.js';
import { html, type SafeUrl } from './html.js';
import { type RenderedPage, renderPage } from './layout.js';
import { describeScope } from './scope-descriptions.js';
import { describeUserAgent } from './user-agent.js';

export interface AccountSession {
  readonly id: string;
  readonly userAgent?: string | undefined;
  /** The client address the session was last seen from. */
  readonly address?: string | undefined;
  /** Epoch seconds. */
  readonly startedAt: number;
  readonly lastSeenAt: number;
  /** The session of the browser viewing the page. */
  readonly current: boolean;
}

export interface AccountGrant {
  readonly id: string;
  readonly clientName: string;
  readonly scopes: readonly string[];
  /** Epoch seconds. */
  readonly grantedAt: number;
}

export interface AccountPageInput {
  readonly userName: string;
  readonly sessions: readonly AccountSession[];
  readonly grants: readonly AccountGrant[];
  readonly actions: { readonly endSession: SafeUrl; readonly revokeGrant: SafeUrl };
  /** The CSRF token of each action's forms (the route may use one token for both). */
  readonly csrfTokens: { readonly endSession: string; readonly revokeGrant: string };
  /** Formats epoch seconds for people; injected so pages do not depend on the server's locale or zone. */
  readonly formatDate: (epochSeconds: number) => string;
  /** A confirmation of the last action, e.g. "Access for Acme Notes was revoked." */
  readonly notice?: string | undefined;
  readonly scopeDescriptions?: Readonly<Record<string, string>> | undefined;
  readonly lang?: string | undefined;
}

/** The form field names the account page's POSTs carry. */
export const ACCOUNT_FIELDS = { sessionId: 'session_id', grantId: 'grant_id' } as const;

export function renderAccountPage(input: AccountPageInput): RenderedPage {
  const date = (epochSeconds: number) =>
    html`<time datetime="${new Date(epochSeconds * 1000).toISOString()}">${input.formatDate(epochSeconds)}</time>`;

  // The current session first, then the most recently used.
  const sessions = [...input.sessions].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt - a.lastSeenAt,
  );
  const sessionRows = sessions.map((s) => {
    const device = describeUserAgent(s.userAgent);
    return html`<li class="row">
<div class="row-main">
<span class="row-title">${device}</span>${s.current && html`<span class="tag">This device</span>`}
<dl class="facts">
${s.address && html`<dt>Address</dt><dd>${s.address}</dd>`}
<dt>Started</dt><dd>${date(s.startedAt)}</dd>
<dt>Last active</dt><dd>${date(s.lastSeenAt)}</dd>
</dl>
</div>
${postForm({
  action: input.actions.endSession,
  csrfToken: input.csrfTokens.endSession,
  hidden: { [ACCOUNT_FIELDS.sessionId]: s.id },
  body: html`<button type="submit" class="small danger">${
    s.current ? 'Sign out' : 'End session'
  }<span class="visually-hidden"> on ${device}${s.current && ', this device'}</span></button>`,
})}
</li>`;
  });

  const grantRows = input.grants.map((g) => {
    const scopes = g.scopes.map((scope) => describeScope(scope, input.scopeDescriptions).title);
    return html`<li class="row">
<div class="row-main">
<span class="row-title">${g.clientName}</span>
<dl class="facts">
<dt>Can</dt><dd>${scopes.length > 0 ? scopes.join('; ') : 'Sign you in'}</dd>
<dt>Granted</dt><dd>${date(g.grantedAt)}</dd>
</dl>
</div>
${postForm({
  action: input.actions.revokeGrant,
  csrfToken: input.csrfTokens.revokeGrant,
  hidden: { [ACCOUNT_FIELDS.grantId]: g.id },
  body: html`<button type="submit" class="small danger">Revoke<span class="visually-hidden"> access for ${g.clientName}</span></button>`,
})}
</li>`;
  });

  const body = html`<div class="card">
<h1>Your account</h1>
<p class="lead">Signed in as <strong>${input.userName}</strong></p>
${input.notice && alertBox('notice', 'account-notice', input.notice)}
<section aria-labelledby="sessions-heading">
<h2 id="sessions-heading">Where you are signed in</h2>
${sessionRows.length > 0 ? html`<ul class="rows">${sessionRows}</ul>` : html`<p class="muted">No active sessions.</p>`}
</section>
<section aria-labelledby="apps-heading">
<h2 id="apps-heading">Apps you have given access</h2>
${
  grantRows.length > 0
    ? html`<ul class="rows">${grantRows}</ul>
<p class="muted">Revoking an app's access signs it out at once; it must ask again to use your account.</p>`
    : html`<p class="muted">You have not given any app access to your account.</p>`
}
</section>
</div>`;

  return renderPage({ title: 'Your account', lang: input.lang, body });
}
