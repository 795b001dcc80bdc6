import { postForm } from './form-fields.js';
import { html, type SafeUrl } from './html.js';
import { type RenderedPage, renderPage } from './layout.js';
import { decisionButtons, scopeChecklist } from './scope-checklist.js';

export interface ConsentResource {
  /** The resource indicator (RFC 8707), shown so the person can tell APIs apart. */
  readonly identifier: string;
  readonly name?: string | undefined;
}

export interface ConsentPageInput {
  readonly action: SafeUrl;
  readonly csrfToken: string;
  readonly interactionId: string;
  readonly clientName: string;
  /** The redirect URI of this request: its host is shown, its origin allowed in form-action. */
  readonly redirectUri: string;
  /** The scopes requested, in request order. */
  readonly scopes: readonly string[];
  /** Requested scopes the person cannot untick; default `openid`. */
  readonly requiredScopes?: readonly string[] | undefined;
  /** Descriptions of API-defined scopes, by scope. */
  readonly scopeDescriptions?: Readonly<Record<string, string>> | undefined;
  /** The APIs the access is for. */
  readonly resources?: readonly ConsentResource[] | undefined;
  /** Who is signed in, shown so a shared computer does not grant the wrong account. */
  readonly userName?: string | undefined;
  readonly lang?: string | undefined;
}

/** The form field names the consent POST carries; the route reads exactly these. */
export const CONSENT_FIELDS = { scope: 'scope', decision: 'decision' } as const;

function redirectHost(redirectUri: string): string | undefined {
  try {
    return new URL(redirectUri).host || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The consent page. Required scopes are listed without a checkbox; each optional scope is a
 * ticked checkbox named `scope`. The POST therefore carries only the optional scopes left
 * ticked: the route must grant required ∪ (ticked ∩ requested) and ignore anything else.
 */
export function renderConsentPage(input: ConsentPageInput): RenderedPage {
  const required = new Set(input.requiredScopes ?? ['openid']);
  const items = scopeChecklist({
    scopes: input.scopes,
    required,
    scopeDescriptions: input.scopeDescriptions,
    fieldName: CONSENT_FIELDS.scope,
  });
  const host = redirectHost(input.redirectUri);
  const hasOptional = input.scopes.some((scope) => !required.has(scope));
  const resources = input.resources ?? [];

  const body = html`<div class="card">
<h1><strong>${input.clientName}</strong> wants to access your account</h1>
<p class="lead">${input.userName && html`Signed in as <strong>${input.userName}</strong>. `}${
    hasOptional && 'Untick anything you do not want to share.'
  }</p>
${postForm({
  action: input.action,
  csrfToken: input.csrfToken,
  hidden: { interaction_id: input.interactionId },
  body: html`<fieldset class="plain">
<legend><h2>This will allow ${input.clientName} to:</h2></legend>
<ul class="scopes">
${items}
</ul>
</fieldset>
${
  resources.length > 0 &&
  html`<h2>For these services</h2>
<ul class="rows">${resources.map(
    (r) =>
      html`<li class="row"><div class="row-main"><span class="row-title">${r.name ?? r.identifier}</span>${
        r.name && html`<br><code>${r.identifier}</code>`
      }</div></li>`,
  )}</ul>`
}
<p class="muted">${host ? html`After you decide, you will return to <strong>${host}</strong>. ` : ''}You can take this access back at any time on your account page.</p>
${decisionButtons(CONSENT_FIELDS.decision)}`,
})}
</div>`;

  return renderPage({
    title: `Allow ${input.clientName}?`,
    clientName: input.clientName,
    lang: input.lang,
    body,
    formActionOrigins: [input.redirectUri],
  });
}
