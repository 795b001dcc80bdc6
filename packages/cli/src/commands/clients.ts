import { parseArgs } from 'node:util';
import { digestClientSecret, generateClientSecret } from '@gatehouse/authorization-server';
import { epochSeconds, systemClock } from '@gatehouse/core';
import type { ClientMetadata } from '@gatehouse/store';
import { cliSecrets, configOptions, formatTime, loadCliConfig, table, withStore } from '../cli-config.js';
import { CONFIG_OPTION_HELP, type Command, UsageError } from '../command.js';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
const CLIENT_ID = /^[\x21-\x7E]{1,255}$/;

export const clientsCommand: Command = {
  name: 'clients',
  summary: 'add, list or remove OAuth clients',
  help: `Usage: gatehouse clients add CLIENT_ID [--scope "a b"] [--auth-method M] [--jwks-uri URL] [--name NAME]
       gatehouse clients list
       gatehouse clients remove CLIENT_ID

add     registers a machine-to-machine client (grant client_credentials). For secret methods
        a 256-bit secret is generated and printed ONCE; only its keyed digest is stored.
list    shows every client, where it comes from (config file or admin) and what it may do.
remove  deletes a client added here. Clients from the config file are removed by
        deleting them from the file.

Options:
${CONFIG_OPTION_HELP}
      --scope "A B"     scopes the client may be granted (space-separated)
      --auth-method M   client_secret_basic (default), client_secret_post or private_key_jwt
      --jwks-uri URL    the client's public keys (required for private_key_jwt)
      --name NAME       a human-readable name
      --json            machine-readable output
  -h, --help            show this help

Example:
  gatehouse clients add billing-service --scope "orders:read"`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        ...configOptions,
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

    if (!CLIENT_ID.test(clientId))
      throw new UsageError('CLIENT_ID must be 1-255 visible ASCII characters', 'clients');
    const method = values['auth-method'] ?? 'client_secret_basic';
    if (!AUTH_METHODS.includes(method)) {
      throw new UsageError(`--auth-method must be one of ${AUTH_METHODS.join(', ')}`, 'clients');
    }
    const jwksUri = values['jwks-uri'];
    if (method === 'private_key_jwt' && !jwksUri) {
      throw new UsageError('--auth-method private_key_jwt needs --jwks-uri https://...', 'clients');
    }
    if (jwksUri !== undefined && !jwksUri.startsWith('https://'))
      throw new UsageError('--jwks-uri must be https', 'clients');
    const scopes = (values.scope ?? '').split(' ').filter(Boolean);
    const known = new Set(config.resources.flatMap((r) => r.scopes));
    const unknown = scopes.filter((s) => !known.has(s));
    if (unknown.length > 0) {
      throw new UsageError(
        `scope not defined by any resource in the config: ${unknown.join(' ')}`,
        'clients',
      );
    }
    const secrets = method === 'private_key_jwt' ? undefined : cliSecrets(config, io);
    return withStore(config, async (store) => {
      if (await store.clients.find(clientId)) {
        io.err(`client '${clientId}' already exists; remove it first or pick another id`);
        return 1;
      }
      const now = epochSeconds(systemClock);
      const secret = secrets ? generateClientSecret() : undefined;
      const metadata: ClientMetadata = {
        grant_types: ['client_credentials'],
        redirect_uris: [],
        token_endpoint_auth_method: method,
        scope: scopes.join(' '),
        ...(values.name ? { client_name: values.name } : {}),
        ...(jwksUri ? { jwks_uri: jwksUri } : {}),
      };
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
        io.out(`added client '${clientId}' (${method})`);
        if (secret) {
          io.out(`client_secret: ${secret}`);
          io.out('this secret is shown once and cannot be recovered; store it now');
        }
      }
      return 0;
    });
  },
};
