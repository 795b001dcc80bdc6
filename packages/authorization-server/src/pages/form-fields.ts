import { html, type SafeHtml, type SafeUrl } from './html.js';

/** The form field that carries the CSRF token (see csrf.ts). */
export const CSRF_FIELD = 'csrf_token';

export interface PostFormOptions {
  readonly action: SafeUrl;
  readonly csrfToken: string;
  /** Hidden fields besides the CSRF token, in order. */
  readonly hidden?: Readonly<Record<string, string>>;
  readonly body: SafeHtml;
  /** An accessible name for forms that are one button in a list. */
  readonly label?: string;
  readonly className?: string;
}

/**
 * Every form on every page is made here, so none can lack the CSRF field. Forms post:
 * nothing that changes state travels in a URL, where it would land in logs and history.
 */
export function postForm(options: PostFormOptions): SafeHtml {
  const hidden = Object.entries(options.hidden ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  return html`<form method="post" action="${options.action}"${
    options.className && html` class="${options.className}"`
  }${options.label && html` aria-label="${options.label}"`}>
<input type="hidden" name="${CSRF_FIELD}" value="${options.csrfToken}">${hidden}
${options.body}
</form>`;
}

/** A message box: `error` is announced (role=alert), `notice` is a polite status. */
export function alertBox(kind: 'error' | 'notice', id: string, message: SafeHtml | string): SafeHtml {
  const role = kind === 'error' ? 'alert' : 'status';
  return html`<div class="alert alert-${kind}" id="${id}" role="${role}"><p>${message}</p></div>`;
}
