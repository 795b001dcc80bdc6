import { type DeviceAuthorizationResponse, OperationProcessingError } from 'oauth4webapi';
import QRCode from 'qrcode';
import { type CliIO, type Command, UsageError } from '../command.js';
import { cliHomeDir } from '../credentials/config-home.js';
import { credentialsFile, readLogins, type StoredLogin, saveLogin } from '../credentials/credentials-file.js';
import { withCredentialsLock } from '../credentials/credentials-lock.js';
import { storedLoginFrom } from '../credentials/stored-login.js';
import { deviceTokenRequest, requestDeviceAuthorization } from '../device-client/device-grant.js';
import { connect, discoverIssuer, type IssuerConnection } from '../device-client/issuer-connection.js';
import { DeviceLoginError, pollForTokens } from '../device-client/poll-for-tokens.js';
import { revokeToken } from '../device-client/revoke-token.js';
import { fetchUserInfo } from '../device-client/user-info.js';
import { parseLoginArgs } from './login-args.js';
import { type LoginEnvironment, processLoginEnvironment } from './login-environment.js';
import { ISSUER_OPTION_HELP, loginIssuer } from './login-issuer.js';
import { waitingDisplay } from './login-progress.js';

export const DEFAULT_CLIENT_ID = 'gatehouse-cli';
export const DEFAULT_SCOPE = 'openid profile email offline_access';

const HELP = `Usage: gatehouse login [--issuer URL] [--client-id ID] [--scope "S ..."] [--no-browser]

Signs you in at an OAuth 2.0 / OpenID Connect issuer with the device authorization grant
(RFC 8628): shows a URL and a code (and a QR code for a phone), opens the browser when it
can, and waits while you sign in and approve there. Gatehouse or any issuer that offers the
device grant will do. The tokens are kept in your config directory, in credentials.json
(mode 0600), one login per issuer; they are never printed, except by 'gatehouse token'.

Options:
${ISSUER_OPTION_HELP}
      --client-id ID    the public client to sign in as (default ${DEFAULT_CLIENT_ID})
      --scope "S ..."   scopes to ask for (default "${DEFAULT_SCOPE}")
      --no-browser      do not open a browser; only show the URL and the code
  -h, --help            show this help

A browser is opened only when standard output is a terminal and CI is not set.
Ctrl-C stops waiting.

Environment:
  GATEHOUSE_ISSUER      the issuer when --issuer is not given
  GATEHOUSE_CLI_HOME    where credentials are kept (default: $XDG_CONFIG_HOME/gatehouse or
                        ~/.config/gatehouse; ~/Library/Application Support/gatehouse on
                        macOS; %APPDATA%\\gatehouse on Windows)

Example:
  gatehouse login --issuer https://id.example.com
  curl -H "Authorization: Bearer $(gatehouse token)" https://api.example.com/orders`;

export function createLoginCommand(environment: () => LoginEnvironment = processLoginEnvironment): Command {
  return {
    name: 'login',
    summary: 'sign in at an issuer from this terminal (device grant)',
    help: HELP,
    async run(args, io) {
      const values = parseLoginArgs(
        args,
        io,
        { name: 'login', help: HELP },
        {
          'client-id': { type: 'string' },
          scope: { type: 'string' },
          'no-browser': { type: 'boolean' },
        },
      );
      if (!values) return 0; // --help was asked for, and shown
      const clientId = values['client-id'] ?? DEFAULT_CLIENT_ID;
      if (clientId === '') throw new UsageError('--client-id must not be empty', 'login');
      const scope = (values.scope ?? DEFAULT_SCOPE).split(/\s+/).filter(Boolean).join(' ');
      if (scope === '') throw new UsageError('--scope must name at least one scope', 'login');
      const issuer = loginIssuer(values, io, 'login');
      const env = environment();
      const dir = cliHomeDir(io.env);
      // An unreadable credentials file fails now, not after the person has approved.
      readLogins(dir);

      const cancel = new AbortController();
      const stopListening = env.onInterrupt(() => cancel.abort());
      try {
        const options = { signal: cancel.signal, ...(env.fetch ? { fetch: env.fetch } : {}) };
        const as = await discoverIssuer(issuer, options);
        const connection = connect(as, clientId, options);
        const device = await requestDeviceAuthorization(connection, scope);
        await showCode(io, env, device);
        if (!values['no-browser'] && env.stdoutIsTTY && !io.env['CI']) {
          env.openBrowser(device.verification_uri_complete ?? device.verification_uri);
        }
        const display = waitingDisplay(env, env.now() + device.expires_in * 1000);
        const response = await pollForTokens({
          requestTokens: deviceTokenRequest(connection, device.device_code),
          interval: device.interval,
          expiresIn: device.expires_in,
          now: env.now,
          sleep: env.sleep,
          signal: cancel.signal,
          onWait: (ms, reason) => display.update(ms, reason),
        }).finally(() => display.stop());

        const login = storedLoginFrom(response, {
          issuer: as.issuer,
          clientId,
          requestedScope: scope,
          now: Math.floor(env.now() / 1000),
        });
        const replaced = await withCredentialsLock(dir, async () => {
          const previous = readLogins(dir)[login.issuer];
          saveLogin(dir, login);
          return previous;
        });
        // A second login at the same issuer replaces the first; its refresh token would
        // otherwise stay valid at the issuer with no copy left to revoke it with.
        if (replaced?.refreshToken !== undefined && replaced.clientId === clientId) {
          const outcome = await revokeToken(connection, replaced.refreshToken, 'refresh_token');
          if (!outcome.revoked && !outcome.unsupported) {
            io.err(`note: could not revoke the previous sign-in's refresh token (${outcome.reason})`);
          }
        }
        io.out(
          `Signed in at ${as.issuer} as ${displayName({ ...login.claims, ...(await profileClaims(connection, login)) }, login)}.`,
        );
        if (login.refreshToken === undefined) {
          io.err(
            "note: the issuer gave no refresh token; run 'gatehouse login' again when the access token expires " +
              '(ask for offline_access in --scope for longer sign-ins)',
          );
        }
        io.out(`Tokens saved in ${credentialsFile(dir)}. 'gatehouse token' prints an access token.`);
        return 0;
      } catch (error) {
        if (cancel.signal.aborted) {
          io.err('gatehouse login: cancelled');
          return 130;
        }
        if (error instanceof DeviceLoginError) {
          io.err(`gatehouse login: ${error.message}`);
          return 1;
        }
        if (error instanceof OperationProcessingError) {
          // oauth4webapi found the response breaking the protocol (an ID token for another
          // client, a missing access_token): nothing is stored.
          io.err(
            `gatehouse login: the token response of ${issuer.href.replace(/\/$/, '')} is not valid: ${error.message}`,
          );
          return 1;
        }
        throw error;
      } finally {
        stopListening();
      }
    },
  };
}

export const loginCommand = createLoginCommand();

/**
 * The URL and code in plain text, always (they are what a person types), and a QR code of
 * verification_uri_complete when a person is looking at a terminal (RFC 8628 §3.3.1: the
 * complete URI is meant for "non-textual transmission").
 */
async function showCode(
  io: CliIO,
  env: LoginEnvironment,
  device: DeviceAuthorizationResponse,
): Promise<void> {
  const lines = [
    'To sign in, open this page in a browser:',
    '',
    `    ${device.verification_uri}`,
    '',
    'and enter the code:',
    '',
    `    ${device.user_code}`,
    '',
  ];
  const complete = device.verification_uri_complete;
  if (complete !== undefined) {
    lines.push(`Or open ${complete}${env.stdoutIsTTY ? ', or scan this QR code with a phone:' : ''}`);
    if (env.stdoutIsTTY)
      lines.push('', (await QRCode.toString(complete, { type: 'terminal', small: true })).trimEnd());
    lines.push('');
  }
  // RFC 8628 §5.4 (remote phishing): the code on the page must be the one shown here.
  lines.push(`Approve only if the page shows the code ${device.user_code}.`);
  io.out(lines.join('\n'));
}

/**
 * UserInfo claims when the ID token names nobody: issuers may keep profile claims out of the
 * ID token when an access token is issued (OIDC Core §5.4). Only for the greeting; a failure
 * just means a plainer one.
 */
async function profileClaims(
  connection: IssuerConnection,
  login: StoredLogin,
): Promise<Record<string, unknown>> {
  const claims = login.claims ?? {};
  if (claims['name'] !== undefined || claims['email'] !== undefined) return {};
  if (!login.scope.split(' ').includes('openid')) return {};
  const sub = typeof claims['sub'] === 'string' ? claims['sub'] : undefined;
  const info = await fetchUserInfo(connection, login.accessToken, sub);
  return typeof info === 'string' ? {} : { ...info };
}

/** Who signed in, from the ID token's (or UserInfo's) claims, without printing a token. */
export function displayName(claims: Record<string, unknown>, login: StoredLogin): string {
  const name = [claims['name'], claims['preferred_username'], claims['email'], claims['sub']].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  return name ?? `client ${login.clientId} (no ID token: add openid to --scope to see who)`;
}
