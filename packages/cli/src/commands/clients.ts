import { parseArgs } from 'node:util';
import {
  checkClientDocument,
  digestClientSecret,
  generateClientSecret,
} from '@gatehouse/authorization-server';
import { epochSeconds, systemClock } from '@gatehouse/core';
import { cliSecrets, configOptions, formatTime, loadCliConfig, table, withStore } from '../cli-config.js';
import { CONFIG_OPTION_HELP, type Command, UsageError } from '../command.js';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

/** The option that sets each client field, to name in messages. */
const OPTION_OF_FIELD: Record<string, string> = {
  client_id: 'CLIENT_ID',
  client_name: '--name',
  grant_types: '--grant-type',
  redirect_uris: '--redirect-uri',
  post_logout_redirect_uris: '--post-logout-redirect-uri',
  application_type: '--application-type',
  jwks: '--jwks-uri',
  jwks_uri: '--jwks-uri',
  scope: '--scope',
};

/** The config file's wording of a fix, said with this command's options. */
const FIX_WORDING: [string | RegExp, string][] = [
  [/^duplicate client_id '(.*)'$/, "the config file already defines '$1'; pick another id"],
  [
    'use a secret or private_key_jwt',
    'drop --public (a secret is then generated) or use another --grant-type',
  ],
  ['set application_type: native', 'add --application-type native'],
  ['in jwks or jwks_uri', 'in --jwks-uri https://...'],
  ['in grant_types', 'in --grant-type'],
  ['needs grant_types authorization_code', 'needs --grant-type authorization_code'],
  ['resources[]', 'the config file’s resources[]'],
];

export const clientsCommand: Command = {
  name: 'clients',
  summary: 'add, list or remove OAuth clients',
  help: `Usage: gatehouse clients add CLIENT_ID [--grant-type G]... [--redirect-uri URI]... [--public]
                                   [--scope "a b"] [--auth-method M] [--jwks-uri URL] [--name NAME]
       gatehouse clients list
       gatehouse clients remove CLIENT_ID

add     registers a client, checked by the same rules as clients[] in the config file. A
        confidential client gets a 256-bit secret, printed ONCE; only its keyed digest is stored.
        A public client (--public) has no secret and proves itself with PKCE or the device code.
list    shows every client, where it comes from (config file or admin) and what it may do.
remove  deletes a client added here. Clients from the config file are removed by
        deleting them from the file.

Options:
${CONFIG_OPTION_HELP}
      --grant-type G    a grant the client may use; repeat for several: client_credentials
                        (default), authorization_code, refresh_token (with one of the two
                        that sign people in), urn:ietf:params:oauth:grant-type:device_code
      --redirect-uri URI  an exact callback URI, repeatable (needed with authorization_code):
                        https (http only for localhost) for web apps; for native apps
                        http://127.0.0.1 or http://[::1] (any port), com.example.app:/cb or https
      --post-logout-redirect-uri URI  where the client may send people after logout, repeatable
      --application-type T  web (default) or native (a desktop or mobile app, RFC 8252)
      --public          a public client (browser or native app, device): token_endpoint_auth_method
                        none, no secret; not with client_credentials
      --scope "A B"     scopes the client may be granted (space-separated); openid, profile,
                        email and offline_access are for clients that sign people in
      --auth-method M   client_secret_basic (default), client_secret_post or private_key_jwt
      --jwks-uri URL    the client's public keys (required for private_key_jwt)
      --name NAME       a human-readable name, shown on consent
      --json            machine-readable output
  -h, --help            show this help

Examples:
  a service calling an API (client_credentials, with a secret):
    gatehouse clients add billing-service --scope "orders:read"
  a web app with a server (authorization_code, with a secret):
    gatehouse clients add portal --grant-type authorization_code --grant-type refresh_token \\
      --redirect-uri https://portal.example.com/callback --scope "openid profile offline_access"
  a single-page or native app (public, PKCE):
    gatehouse clients add mobile --public --application-type native --grant-type authorization_code \\
      --redirect-uri com.example.mobile:/callback --scope "openid orders:read"
  a device or command-line client (public, device grant):
    gatehouse clients add tv-app --public --grant-type urn:ietf:params:oauth:grant-type:device_code \\
      --scope "openid orders:read"`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        ...configOptions,
        'grant-type': { type: 'string', multiple: true },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        'application-type': { type: 'string' },
        public: { type: 'boolean' },
        scope: { type: 'string' },
        'auth-method': { type: 'string' },
        'jwks-uri': { type: 'string' },
        name: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    const [action, clientId, ...rest] = positionals;
    if (values.help || action === undefined) {
      io.out(this.help);
      return action === undefined && !values.help ? 2 : 0;
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`, 'clients');
    const config = loadCliConfig(values, io);

    if (action === 'list') {
      return withStore(config, async (store) => {
        const clients = await store.clients.list();
        if (values.json) {
          io.out(
            JSON.stringify(
              clients.map((c) => ({ client_id: c.clientId, source: c.source, ...c.metadata })),
              null,
              2,
            ),
          );
        } else if (clients.length === 0) {
          io.out('no clients yet; add one with: gatehouse clients add CLIENT_ID --scope "..."');
        } else {
          io.out(
            table([
              ['CLIENT_ID', 'SOURCE', 'AUTH METHOD', 'GRANTS', 'SCOPE', 'CREATED'],
              ...clients.map((c) => [
                c.clientId,
                c.source,
                c.metadata.token_endpoint_auth_method,
                c.metadata.grant_types.join(','),
                typeof c.metadata.scope === 'string' ? c.metadata.scope : '',
                formatTime(c.createdAt),
              ]),
            ]),
          );
        }
        return 0;
      });
    }

    if (clientId === undefined) throw new UsageError(`'clients ${action}' needs a CLIENT_ID`, 'clients');
    if (action === 'remove') {
      return withStore(config, async (store) => {
        const existing = await store.clients.find(clientId);
        if (!existing) {
          io.err(`no client '${clientId}'; see: gatehouse clients list`);
          return 1;
        }
        if (existing.source === 'config') {
          io.err(`client '${clientId}' comes from the config file; delete it there and restart`);
          return 1;
        }
        await store.clients.remove(clientId);
        io.out(
          `removed client '${clientId}'; running servers refuse it within cache.client_seconds (${config.cache.client_seconds}s), and its tokens stop working when they expire`,
        );
        return 0;
      });
    }
    if (action !== 'add')
      throw new UsageError(`unknown action '${action}' (expected add, list or remove)`, 'clients');

    if (values.public && values['auth-method'] !== undefined) {
      throw new UsageError(
        '--public clients have no credentials; give --public or --auth-method, not both',
        'clients',
      );
    }
    const method = values.public ? 'none' : (values['auth-method'] ?? 'client_secret_basic');
    if (!values.public && !AUTH_METHODS.includes(method)) {
      throw new UsageError(
        `--auth-method must be one of ${AUTH_METHODS.join(', ')} (for a client without credentials use --public)`,
        'clients',
      );
    }
    const secrets =
      method === 'client_secret_basic' || method === 'client_secret_post'
        ? cliSecrets(config, io)
        : undefined;
    const secret = secrets ? generateClientSecret() : undefined;
    // The client as a clients[] entry of gatehouse.yaml, so it gets the file's rules and defaults.
    const checked = checkClientDocument(
      {
        client_id: clientId,
        ...(secret ? { client_secret: secret } : {}),
        grant_types: values['grant-type'] ?? ['client_credentials'],
        redirect_uris: values['redirect-uri'] ?? [],
        post_logout_redirect_uris: values['post-logout-redirect-uri'] ?? [],
        token_endpoint_auth_method: method,
        // No --scope means no scopes, not every scope.
        scope: (values.scope ?? '').split(' ').filter(Boolean).join(' '),
        ...(values['application-type'] ? { application_type: values['application-type'] } : {}),
        ...(values.name ? { client_name: values.name } : {}),
        ...(values['jwks-uri'] ? { jwks_uri: values['jwks-uri'] } : {}),
      },
      config,
    );
    if (!checked.ok) {
      throw new UsageError(
        checked.problems.map((p) => optionProblem(p, values.public === true)).join('\n'),
        'clients',
      );
    }
    const { metadata } = checked;
    return withStore(config, async (store) => {
      if (await store.clients.find(clientId)) {
        io.err(`client '${clientId}' already exists; remove it first or pick another id`);
        return 1;
      }
      const now = epochSeconds(systemClock);
      await store.clients.upsert({
        clientId,
        secretDigest: secret && secrets ? digestClientSecret(secrets.secretDigest, secret) : null,
        metadata,
        source: 'admin',
        createdAt: now,
        updatedAt: now,
      });
      if (values.json) {
        io.out(
          JSON.stringify(
            { client_id: clientId, ...(secret ? { client_secret: secret } : {}), ...metadata },
            null,
            2,
          ),
        );
      } else {
        io.out(
          `added client '${clientId}' (${method === 'none' ? 'public' : method}; ${metadata.grant_types.join(', ')})`,
        );
        if (secret) {
          io.out(`client_secret: ${secret}`);
          io.out('this secret is shown once and cannot be recovered; store it now');
        }
      }
      return 0;
    });
  },
};

/** A config-file problem of the client, said as the option that fixes it. */
function optionProblem(problem: { key: string; message: string }, isPublic: boolean): string {
  const field = problem.key.replace(/\[\d+\]$/, '').split('.')[0] ?? '';
  const option =
    field === 'token_endpoint_auth_method'
      ? isPublic
        ? '--public'
        : '--auth-method'
      : OPTION_OF_FIELD[field];
  let message = problem.message;
  for (const [from, to] of FIX_WORDING) message = message.replace(from, to);
  return `${option ?? problem.key}: ${message}`;
}
