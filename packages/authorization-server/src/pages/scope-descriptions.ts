/** A scope in plain words for the person approving it. */
export interface ScopeDescription {
  readonly title: string;
  readonly detail: string;
}

const STANDARD = new Map<string, ScopeDescription>([
  ['openid', { title: 'Know who you are', detail: 'Your account identifier, so the app can sign you in.' }],
  ['profile', { title: 'See your profile', detail: 'Your name, username and other basic profile details.' }],
  [
    'email',
    { title: 'See your email address', detail: 'Your email address and whether it has been verified.' },
  ],
  [
    'offline_access',
    {
      title: 'Stay connected',
      detail: 'Keep this access while you are not using the app, until you revoke it.',
    },
  ],
  ['roles', { title: 'See your roles and groups', detail: 'The roles and groups your account belongs to.' }],
]);

/**
 * Describes a scope: the OpenID Connect ones in fixed words, an API's own scopes by the
 * description its configuration gives (`descriptions`), anything else by a fallback that
 * names the scope so nothing is hidden from the person.
 */
export function describeScope(
  scope: string,
  descriptions: Readonly<Record<string, string>> = {},
): ScopeDescription {
  const standard = STANDARD.get(scope);
  if (standard) return standard;
  const defined = Object.hasOwn(descriptions, scope) ? descriptions[scope] : undefined;
  if (defined) return { title: defined, detail: `Permission “${scope}”.` };
  return {
    title: `Use the permission “${scope}”`,
    detail: 'A permission defined by the service the access is for.',
  };
}
