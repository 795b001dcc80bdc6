import type { Command } from '../command.js';
import { readLogins, removeLogin } from '../credentials/credentials-file.js';
import { withCredentialsLock } from '../credentials/credentials-lock.js';
import { describeFailure } from '../device-client/issuer-connection.js';
import { type RevocationOutcome, revokeToken } from '../device-client/revoke-token.js';
import { chooseStoredLogin, parseLoginArgs } from './login-args.js';
import { type LoginEnvironment, processLoginEnvironment } from './login-environment.js';
import { ISSUER_OPTION_HELP } from './login-issuer.js';
import { connectToLogin } from './token.js';

const HELP = `Usage: gatehouse logout [--issuer URL]

Ends the sign-in of 'gatehouse login': revokes the refresh token at the issuer (RFC 7009),
which also ends the access tokens issued with it where the issuer supports that, then deletes
the stored tokens. The tokens are deleted even when the issuer cannot be reached; then the
command says so and exits 1, because they stay valid at the issuer until they expire.

Options:
${ISSUER_OPTION_HELP}
  -h, --help            show this help`;

export function createLogoutCommand(environment: () => LoginEnvironment = processLoginEnvironment): Command {
  return {
    name: 'logout',
    summary: "revoke and forget the tokens of 'gatehouse login'",
    help: HELP,
    async run(args, io) {
      const flags = parseLoginArgs(args, io, { name: 'logout', help: HELP });
      if (!flags) return 0; // --help was asked for, and shown
      const env = environment();
      const { dir, login } = chooseStoredLogin(flags, io, 'logout');
      return withCredentialsLock(dir, async () => {
        // Under the lock, so a concurrent 'gatehouse token' cannot rotate the refresh token
        // between the revocation and the deletion.
        const current = readLogins(dir)[login.issuer] ?? login;
        const [token, hint] =
          current.refreshToken !== undefined
            ? [current.refreshToken, 'refresh_token' as const]
            : [current.accessToken, 'access_token' as const];
        let outcome: RevocationOutcome;
        try {
          outcome = await revokeToken(await connectToLogin(current, env), token, hint);
        } catch (error) {
          outcome = { revoked: false, unsupported: false, reason: describeFailure(error) };
        }
        removeLogin(dir, current.issuer);
        const what = hint === 'refresh_token' ? 'refresh token' : 'access token';
        if (outcome.revoked) {
          io.out(
            `Signed out of ${current.issuer}: the ${what} is revoked and the stored tokens are deleted.`,
          );
          return 0;
        }
        if (outcome.unsupported) {
          io.out(`Signed out of ${current.issuer}: the stored tokens are deleted.`);
          io.err(`note: ${outcome.reason}, so the tokens stay valid there until they expire`);
          return 0;
        }
        io.err(
          `gatehouse logout: could not revoke the ${what} at ${current.issuer} (${outcome.reason}); ` +
            'the stored tokens are deleted, but stay valid at the issuer until they expire',
        );
        return 1;
      });
    },
  };
}

export const logoutCommand = createLogoutCommand();
