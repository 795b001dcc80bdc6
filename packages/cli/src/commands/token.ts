import type { Command } from '../command.js';
import type { StoredLogin } from '../credentials/credentials-file.js';
import { freshLogin } from '../credentials/fresh-login.js';
import { connect, discoverIssuer, type IssuerConnection } from '../device-client/issuer-connection.js';
import { chooseStoredLogin, parseLoginArgs } from './login-args.js';
import { type LoginEnvironment, processLoginEnvironment } from './login-environment.js';
import { ISSUER_OPTION_HELP } from './login-issuer.js';

const HELP = `Usage: gatehouse token [--issuer URL]

Prints an access token from 'gatehouse login', and nothing else, for scripts. When it expires
within 30 seconds it is first refreshed with the refresh token (the new tokens are saved).
When the sign-in has ended (the refresh token expired or was revoked), says so and exits 1:
run 'gatehouse login' again.

Options:
${ISSUER_OPTION_HELP}
  -h, --help            show this help

With one login, --issuer is not needed.

Example:
  curl -H "Authorization: Bearer $(gatehouse token)" https://api.example.com/orders`;

/** Discovers the stored login's issuer again, for a refresh, UserInfo or revocation. */
export async function connectToLogin(login: StoredLogin, env: LoginEnvironment): Promise<IssuerConnection> {
  const options = env.fetch ? { fetch: env.fetch } : {};
  const as = await discoverIssuer(new URL(login.issuer), options);
  return connect(as, login.clientId, options);
}

/** The stored login chosen by the flags, with an access token good for 30 more seconds. */
export async function freshStoredLogin(
  flags: { issuer?: string | undefined; config?: string | undefined },
  io: Parameters<Command['run']>[1],
  env: LoginEnvironment,
  command: string,
): Promise<StoredLogin> {
  const { dir, login: chosen } = chooseStoredLogin(flags, io, command);
  return freshLogin(dir, chosen.issuer, {
    now: () => Math.floor(env.now() / 1000),
    connect: (login) => connectToLogin(login, env),
  });
}

export function createTokenCommand(environment: () => LoginEnvironment = processLoginEnvironment): Command {
  return {
    name: 'token',
    summary: "print a fresh access token from 'gatehouse login', for scripts",
    help: HELP,
    async run(args, io) {
      const flags = parseLoginArgs(args, io, { name: 'token', help: HELP });
      if (!flags) return 0; // --help was asked for, and shown
      const login = await freshStoredLogin(flags, io, environment(), 'token');
      io.out(login.accessToken);
      return 0;
    },
  };
}

export const tokenCommand = createTokenCommand();
