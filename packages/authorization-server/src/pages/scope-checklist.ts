import { html, type SafeHtml } from './html.js';
import { describeScope } from './scope-descriptions.js';

export interface ScopeChecklistInput {
  /** The scopes requested, in request order. */
  readonly scopes: readonly string[];
  /** Scopes listed without a checkbox: they cannot be unticked. */
  readonly required: ReadonlySet<string>;
  readonly scopeDescriptions?: Readonly<Record<string, string>> | undefined;
  /** The form field each ticked optional scope is posted as. */
  readonly fieldName: string;
}

/**
 * The list items of a consent decision (the consent and device pages): each scope in plain
 * words, required ones tagged, optional ones as ticked checkboxes. The POST therefore carries
 * only the optional scopes left ticked; the route grants required ∪ (ticked ∩ requested).
 */
export function scopeChecklist(input: ScopeChecklistInput): SafeHtml[] {
  return input.scopes.map((scope, i) => {
    const { title, detail } = describeScope(scope, input.scopeDescriptions);
    const isRequired = input.required.has(scope);
    const text = html`<span><span class="scope-title">${title}${
      isRequired && html`<span class="tag">Required</span>`
    }</span><span class="muted scope-detail">${detail}</span></span>`;
    if (isRequired) return html`<li class="scope-required">${text}</li>`;
    const id = `scope-${i}`;
    return html`<li><label for="${id}"><input type="checkbox" id="${id}" name="${input.fieldName}" value="${scope}" checked>${text}</label></li>`;
  });
}

/** Approve and Deny, posted as `name=approve|deny`. */
export function decisionButtons(name: string): SafeHtml {
  return html`<div class="actions">
<button type="submit" name="${name}" value="approve">Approve</button>
<button type="submit" name="${name}" value="deny" class="secondary">Deny</button>
</div>`;
}
