import { postForm } from './form-fields.js';
import { html, type SafeUrl } from './html.js';
import { type RenderedPage, renderPage } from './layout.js';

export interface LoginPageInput {
  /** Where the form posts (the login endpoint). */
  readonly action: SafeUrl;
  readonly csrfToken: string;
  /** The pending authorization request this sign-in continues. */
  readonly interactionId: string;
  /** The display name of the client, when the sign-in is for one. */
  readonly clientName?: string | undefined;
  /** The client's redirect URI: the POST ends in a redirect there (CSP form-action). */
  readonly redirectUri?: string | undefined;
  /** Prefills the username: the one just tried, else the request's `login_hint`. */
  readonly username?: string | undefined;
  /**
   * `invalid_credentials`: one generic message whether the account is missing, disabled or
   * the password wrong, so the page does not reveal which accounts exist.
   * `throttled`: too many attempts; shows when to try again.
   */
  readonly error?:
    | { readonly kind: 'invalid_credentials' }
    | { readonly kind: 'throttled'; readonly retryAfterSeconds: number }
    | undefined;
  readonly lang?: string | undefined;
}

export const INVALID_CREDENTIALS_MESSAGE = 'The username or password is incorrect.';

/** "30 seconds", "1 minute", "5 minutes" — rounded up, so the person never retries too early. */
export function describeWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return s === 1 ? '1 second' : `${s} seconds`;
  const minutes = Math.ceil(s / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

const ERROR_ID = 'login-error';

export function renderLoginPage(input: LoginPageInput): RenderedPage {
  const error = input.error;
  const message =
    error?.kind === 'throttled'
      ? `Too many sign-in attempts. Please wait ${describeWait(error.retryAfterSeconds)} and try again.`
      : error && INVALID_CREDENTIALS_MESSAGE;
  const invalid = error?.kind === 'invalid_credentials';
  // Point the fields at the message so a screen reader announces it with the field.
  const describedBy = message && html` aria-describedby="${ERROR_ID}"`;
  const ariaInvalid = invalid && html` aria-invalid="true"`;
  // Focus the field the person has to type in next: the password when the username is known.
  const focusUser = !input.username && html` autofocus`;
  // Boolean, not the username itself: an empty username ('') is no fragment to put among attributes.
  const focusPassword = Boolean(input.username) && html` autofocus`;

  const body = html`<div class="card narrow">
<h1>Sign in</h1>
<p class="lead">${input.clientName ? html`to continue to <strong>${input.clientName}</strong>` : 'with your Gatehouse account'}</p>
${message && html`<div class="alert alert-error" id="${ERROR_ID}" role="alert"><p>${message}</p></div>`}
${postForm({
  action: input.action,
  csrfToken: input.csrfToken,
  hidden: { interaction_id: input.interactionId },
  body: html`<div class="field">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${input.username ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required${ariaInvalid}${describedBy}${focusUser}>
</div>
<div class="field">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${ariaInvalid}${describedBy}${focusPassword}>
</div>
<div class="actions"><button type="submit">Sign in</button></div>`,
})}
</div>`;

  return renderPage({
    title: 'Sign in',
    clientName: input.clientName,
    lang: input.lang,
    body,
    status: error?.kind === 'throttled' ? 429 : error ? 400 : 200,
    extraHeaders:
      error?.kind === 'throttled'
        ? { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterSeconds))) }
        : {},
    formActionOrigins: input.redirectUri ? [input.redirectUri] : [],
  });
}
