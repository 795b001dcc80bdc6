import { html, type SafeUrl } from './html.js';
import { type RenderedPage, renderPage } from './layout.js';

/** The situations a person can land on an error page in, each with fixed wording. */
export type ErrorPageKind =
  | 'invalid_request'
  | 'invalid_logout_request'
  | 'unknown_client'
  | 'invalid_redirect_uri'
  | 'expired'
  | 'csrf'
  | 'not_found'
  | 'server_error';

interface ErrorText {
  readonly title: string;
  readonly explanation: string;
  readonly whatToDo: string;
}

const TEXTS: Record<ErrorPageKind, ErrorText> = {
  invalid_request: {
    title: 'This sign-in request is not valid',
    explanation: 'The application sent Gatehouse an incomplete or incorrect request.',
    whatToDo: 'Go back to the application and start again. If this keeps happening, tell its administrator.',
  },
  // A refused sign-out leaves any session as it was: say so, so no one on a shared computer
  // walks away believing they have signed out.
  invalid_logout_request: {
    title: 'This sign-out request is not valid',
    explanation:
      'The application sent Gatehouse an incomplete or incorrect request to sign you out. Nothing was changed: if you were signed in, you still are.',
    whatToDo:
      'Go back to the application and sign out again, or sign out from your Gatehouse account page. If this keeps happening, tell the application’s administrator.',
  },
  unknown_client: {
    title: 'This application is not recognised',
    explanation: 'The application that sent you here is not registered with Gatehouse.',
    whatToDo: 'Check that you followed a link from the application you meant to use.',
  },
  invalid_redirect_uri: {
    title: 'We cannot send you back to this application',
    explanation:
      'For your safety, Gatehouse only sends you back to addresses the application has registered, and this one is not.',
    whatToDo: 'Tell the administrator of the application; there is nothing wrong with your account.',
  },
  expired: {
    title: 'This page has expired',
    explanation: 'It was open for too long, or the sign-in it belonged to has already finished.',
    whatToDo: 'Go back to the application and sign in again.',
  },
  csrf: {
    title: 'We could not verify this form',
    explanation: 'The form was sent from another site, or your browser did not keep the Gatehouse cookie.',
    whatToDo: 'Make sure cookies are allowed for this site, go back, reload the page and try again.',
  },
  not_found: {
    title: 'Page not found',
    explanation: 'There is nothing at this address.',
    whatToDo: 'Check the address, or go back to the application you came from.',
  },
  server_error: {
    title: 'Something went wrong',
    explanation: 'Gatehouse could not complete your request.',
    whatToDo:
      'Please try again in a few minutes. If it keeps happening, give your administrator the reference below.',
  },
};

export interface ErrorPageInput {
  /** The HTTP status; anything but a 4xx/5xx becomes 500. */
  readonly status: number;
  readonly kind: ErrorPageKind;
  /** Correlates the page with the log entry; show it, never the log entry itself. */
  readonly referenceId: string;
  /**
   * A client-safe detail such as `OAuthError.description`. Only its first line is shown,
   * at most 300 characters, so a stack trace passed by mistake cannot reach the page.
   */
  readonly description?: string | undefined;
  /** A way out, e.g. the application's home page, when one is known and safe. */
  readonly returnUrl?: SafeUrl | null | undefined;
  readonly clientName?: string | undefined;
  readonly lang?: string | undefined;
}

const MAX_DESCRIPTION = 300;

function firstLine(text: string | undefined): string | undefined {
  const line = text?.split(/\r?\n|\r/, 1)[0]?.trim();
  if (!line) return undefined;
  return line.length > MAX_DESCRIPTION ? `${line.slice(0, MAX_DESCRIPTION - 1)}…` : line;
}

export function renderErrorPage(input: ErrorPageInput): RenderedPage {
  const text = TEXTS[input.kind];
  const status =
    Number.isInteger(input.status) && input.status >= 400 && input.status <= 599 ? input.status : 500;
  const detail = firstLine(input.description);
  const body = html`<div class="card narrow">
<h1>${text.title}</h1>
<p>${text.explanation}</p>
${detail && html`<p class="muted">Details: ${detail}</p>`}
<p>${text.whatToDo}</p>
${input.returnUrl && html`<p><a class="button secondary" href="${input.returnUrl}">Back to ${input.clientName ?? 'the application'}</a></p>`}
<p class="muted">Reference: <code>${input.referenceId}</code></p>
</div>`;
  return renderPage({ title: text.title, clientName: input.clientName, lang: input.lang, body, status });
}
