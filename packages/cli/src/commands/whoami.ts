import { formatTime } from '../cli-config.js';
import type { Command } from '../command.js';
import type { StoredLogin } from '../credentials/credentials-file.js';
import { fetchUserInfo } from '../device-client/user-info.js';
import { parseLoginArgs } from './login-args.js';
import { type LoginEnvironment, processLoginEnvironment } from './login-environment.js';
import { ISSUER_OPTION_HELP } from './login-issuer.js';
import { connectToLogin, freshStoredLogin } from './token.js';

const HELP = `Usage: gatehouse whoami [--issuer URL] [--json]

Shows who 'gatehouse login' signed in: the issuer, your subject (sub), name and email (from
the ID token, else from the issuer's UserInfo endpoint), the scopes granted and when the
access token expires. Refreshes the access token first when it is about to expire. Never
prints a token.

Options:
${ISSUER_OPTION_HELP}
      --json            machine-readable output
  -h, --help            show this help`;

export function createWhoamiCommand(environment: () => LoginEnvironment = processLoginEnvironment): Command {
  return {
    name: 'whoami',
    summary: "show who 'gatehouse login' signed in, with scopes and expiry",
    help: HELP,
    async run(args, io) {
      const flags = parseLoginArgs(args, io, { name: 'whoami', help: HELP }, { json: { type: 'boolean' } });
      if (!flags) return 0; // --help was asked for, and shown
      const env = environment();
      const login = await freshStoredLogin(flags, io, env, 'whoami');
      const claims: Record<string, unknown> = { ...login.claims };
      let note: string | undefined;
      // OIDC Core §5.4: an ID token may leave profile claims to UserInfo; ask it only when
      // the ID token names nobody, and only with openid granted (UserInfo needs it).
      if (claims['name'] === undefined && claims['email'] === undefined && hasScope(login, 'openid')) {
        const info = await fetchUserInfo(
          await connectToLogin(login, env),
          login.accessToken,
          typeof claims['sub'] === 'string' ? claims['sub'] : undefined,
        );
        if (typeof info === 'string') note = `UserInfo not read: ${info}`;
        else Object.assign(claims, info);
      }
      const now = Math.floor(env.now() / 1000);
      const summary = {
        issuer: login.issuer,
        subject: stringClaim(claims, 'sub'),
        name: stringClaim(claims, 'name'),
        email: stringClaim(claims, 'email'),
        client_id: login.clientId,
        scope: login.scope,
        access_token_expires_at: login.expiresAt === undefined ? undefined : formatTime(login.expiresAt),
        refresh_token: login.refreshToken !== undefined,
      };
      if (flags.json) {
        io.out(JSON.stringify(summary, null, 2));
        return 0;
      }
      const expiry =
        login.expiresAt === undefined
          ? 'not stated by the issuer'
          : `${formatTime(login.expiresAt)} (in ${duration(login.expiresAt - now)})`;
      const rows: [string, string | undefined][] = [
        ['issuer', summary.issuer],
        ['subject', summary.subject ?? '(unknown: no ID token; add openid to the login scope)'],
        ['name', summary.name],
        ['email', summary.email],
        ['client', summary.client_id],
        ['scopes', summary.scope],
        ['access token expires', expiry],
        [
          'refresh token',
          summary.refresh_token
            ? "yes ('gatehouse token' refreshes)"
            : "no ('gatehouse login' again when it expires)",
        ],
      ];
      const width = Math.max(...rows.map(([label]) => label.length)) + 1;
      for (const [label, value] of rows) {
        if (value !== undefined) io.out(`${`${label}:`.padEnd(width)}  ${value}`);
      }
      if (note) io.err(`note: ${note}`);
      return 0;
    },
  };
}

export const whoamiCommand = createWhoamiCommand();

function hasScope(login: StoredLogin, scope: string): boolean {
  return login.scope.split(' ').includes(scope);
}

function stringClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
