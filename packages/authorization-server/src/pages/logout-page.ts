import { postForm } from './form-fields.js';
import { html, type SafeUrl } from './html.js';
import { type RenderedPage, renderPage } from './layout.js';

export interface LogoutConfirmPageInput {
  readonly action: SafeUrl;
  readonly csrfToken: string;
  /** The pending logout request (RP-initiated logout) the confirmation continues, if any. */
  readonly logoutId?: string | undefined;
  /** The client that asked for the logout, when it is known (from `id_token_hint` or `client_id`). */
  readonly clientName?: string | undefined;
  /** The verified `post_logout_redirect_uri`: the POST ends in a redirect there (CSP form-action). */
  readonly postLogoutRedirectUri?: string | undefined;
  readonly userName?: string | undefined;
  readonly lang?: string | undefined;
}

/** "Sign out of Gatehouse?" — the POST carries `decision=logout` or `decision=cancel`. */
export function renderLogoutConfirmPage(input: LogoutConfirmPageInput): RenderedPage {
  const body = html`<div class="card narrow">
<h1>Sign out of Gatehouse?</h1>
<p class="lead">${input.clientName ? html`<strong>${input.clientName}</strong> asked to sign you out.` : 'You asked to sign out.'}</p>
<p>${input.userName ? html`You are signed in as <strong>${input.userName}</strong>. ` : ''}Signing out ends your Gatehouse session on this device; apps you signed in to through it will be told you have left.</p>
${postForm({
  action: input.action,
  csrfToken: input.csrfToken,
  hidden: input.logoutId ? { logout_id: input.logoutId } : {},
  body: html`<div class="actions">
<button type="submit" name="decision" value="logout">Sign out</button>
<button type="submit" name="decision" value="cancel" class="secondary">Stay signed in</button>
</div>`,
})}
</div>`;
  return renderPage({
    title: 'Sign out?',
    clientName: input.clientName,
    lang: input.lang,
    body,
    formActionOrigins: input.postLogoutRedirectUri ? [input.postLogoutRedirectUri] : [],
  });
}

export interface SignedOutPageInput {
  readonly clientName?: string | undefined;
  /** Where to go next, e.g. the client's home page, when known. */
  readonly returnUrl?: SafeUrl | null | undefined;
  /** The account page, offered as "Sign in again" when there is no `returnUrl`. */
  readonly signInAgainUrl?: SafeUrl | null | undefined;
  readonly lang?: string | undefined;
}

/**
 * Shown after a logout that has no (verified) post-logout redirect. The way onward is the
 * client's home page when known; otherwise signing in again at the account page, so the
 * page is never a dead end.
 */
export function renderSignedOutPage(input: SignedOutPageInput = {}): RenderedPage {
  const onward = input.returnUrl
    ? html`<p><a class="button secondary" href="${input.returnUrl}">Back to ${input.clientName ?? 'the application'}</a></p>`
    : input.signInAgainUrl &&
      html`<p><a class="button secondary" href="${input.signInAgainUrl}">Sign in again</a></p>`;
  const body = html`<div class="card narrow">
<h1>You have signed out</h1>
<p class="lead">Your Gatehouse session on this device has ended.</p>
<p>If you are on a shared computer, close the browser to finish.</p>
${onward}
</div>`;
  return renderPage({ title: 'Signed out', clientName: input.clientName, lang: input.lang, body });
}

export interface StillSignedInPageInput {
  readonly clientName?: string | undefined;
  /** The client's home page, when it registered one. */
  readonly returnUrl?: SafeUrl | null | undefined;
  readonly lang?: string | undefined;
}

/**
 * Shown after "Stay signed in": the session is kept, so the client is not sent its
 * post-logout redirect, which would tell it the person had signed out.
 */
export function renderStillSignedInPage(input: StillSignedInPageInput = {}): RenderedPage {
  const body = html`<div class="card narrow">
<h1>You are still signed in</h1>
<p class="lead">Your Gatehouse session on this device continues.</p>
${
  input.returnUrl &&
  html`<p><a class="button secondary" href="${input.returnUrl}">Back to ${input.clientName ?? 'the application'}</a></p>`
}
</div>`;
  return renderPage({ title: 'Still signed in', clientName: input.clientName, lang: input.lang, body });
}
