import type { UserRecord } from '@gatehouse/store';

/** Claims about a user, with the OIDC spelling (OIDC Core §5.1), plus Gatehouse's roles/groups. */
export interface UserClaims {
  sub: string;
  name?: string;
  preferred_username?: string;
  updated_at?: number;
  email?: string;
  email_verified?: boolean;
  roles?: string[];
  groups?: string[];
}

type ClaimName = Exclude<keyof UserClaims, 'sub'>;

/**
 * OIDC Core §5.4: the claims each scope value requests. `profile` lists only the §5.1 claims a
 * UserRecord can fill (no given_name, picture, locale…); `roles` is Gatehouse's own scope.
 */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly ClaimName[]>> = {
  profile: ['name', 'preferred_username', 'updated_at'],
  email: ['email', 'email_verified'],
  roles: ['roles', 'groups'],
};

/** Every claim a scope can release, once each: discovery's `claims_supported` beside `sub`. */
export const SUPPORTED_CLAIMS: readonly string[] = [...new Set(Object.values(SCOPE_CLAIMS).flat())];

/** The value of each claim for a user; undefined means the user has no value for it. */
const claimValue: { [K in ClaimName]: (user: UserRecord) => UserClaims[K] | undefined } = {
  name: (user) => user.name ?? undefined,
  preferred_username: (user) => user.username,
  updated_at: (user) => user.updatedAt,
  email: (user) => user.email ?? undefined,
  // Without an address, `email_verified` would describe nothing.
  email_verified: (user) => (user.email === null ? undefined : user.emailVerified),
  roles: (user) => (user.roles.length > 0 ? [...user.roles] : undefined),
  groups: (user) => (user.groups.length > 0 ? [...user.groups] : undefined),
};

/**
 * The claims the granted `scopes` release about `user`: `sub` always (OIDC Core §2, the user's
 * stable id), then each claim of each granted scope that has a value. OIDC Core §5.1: a claim
 * without a value is omitted, never sent as null or an empty string.
 */
export function claimsForUser(user: UserRecord, scopes: Iterable<string>): UserClaims {
  const claims: UserClaims = { sub: user.id };
  const target = claims as unknown as Record<ClaimName, unknown>;
  for (const scope of new Set(scopes)) {
    for (const name of SCOPE_CLAIMS[scope] ?? []) {
      const value = claimValue[name](user);
      if (value !== undefined) target[name] = value;
    }
  }
  return claims;
}
