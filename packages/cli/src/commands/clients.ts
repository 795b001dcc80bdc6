import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkClientDocument,
  digestClientSecret,
  generateClientSecret,
  privateJwkMembers,
} from '@gatehouse/authorization-server';
import { epochSeconds, systemClock } from '@gatehouse/core';
import { cliSecrets, configOptions, formatTime, loadCliConfig, table, withStore } from '../cli-config.js';
import { CONFIG_OPTION_HELP, type Command, UsageError } from '../command.js';

const AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
];

/** The option that sets each client field, to name in messages. */
const OPTION_OF_FIELD: Record<string, string> = {
  client_id: 'CLIENT_ID',
  client_name: '--name',
  grant_types: '--grant-type',
  redirect_uris: '--redirect-uri',
  post_logout_redirect_uris: '--post-logout-redirect-uri',
  application_type: '--application-type',
  jwks: '--jwks-file',
  jwks_uri: '--jwks-uri',
  scope: '--scope',
  tls_client_auth_subject_dn: '--tls-subject-dn',
  tls_client_auth_san_dns: '--tls-san-dns',
  tls_client_auth_san_uri: '--tls-san-uri',
  tls_client_auth_san_ip: '--tls-san-ip',
  tls_client_auth_san_email: '--tls-san-email',
  tls_client_certificate_bound_access_tokens: '--certificate-bound',
  dpop_bound_access_tokens: '--dpop-bound',
  backchannel_logout_uri: '--backchannel-logout-uri',
  backchannel_logout_session_required: '--backchannel-logout-session-required',
  id_token_signed_response_alg: '--id-token-alg',
  require_pushed_authorization_requests: '--require-par',
  client_uri: '--client-uri',
  logo_uri: '--logo-uri',
};

/** The config file's wording of a fix, said with this command's options. */
const FIX_WORDING: [string | RegExp, string | ((match: string) => string)][] = [
  [/^duplicate client_id '(.*)'$/, "the config file already defines '$1'; pick another id"],
  [
    'use a secret or private_key_jwt',
    'drop --public (a secret is then generated) or use another --grant-type',
  ],
  ['set application_type: native', 'add --application-type native'],
  ['in jwks or jwks_uri', 'in --jwks-file FILE or --jwks-uri https://...'],
  [
    'mutual TLS needs the tls section (a listener or a proxy header)',
    'mutual TLS needs a tls section in the config file: tls.cert_file and tls.key_file (Gatehouse runs ' +
      'the HTTPS listener) or tls.client_cert_header and tls.trusted_proxies (a proxy terminates TLS); ' +
      'add it, then run this again',
  ],
  ['needs tls.client_ca_file,', 'needs tls.client_ca_file in the config file,'],
  ['token_endpoint_auth_method tls_client_auth', '--auth-method tls_client_auth'],
  // Every mutual-TLS subject field the semantics list, said as its option.
  [/\btls_client_auth_(?:subject_dn|san_[a-z]+)\b/g, (field) => OPTION_OF_FIELD[field] ?? field],
  ['in grant_types', 'in --grant-type'],
  ['needs grant_types authorization_code', 'needs --grant-type authorization_code'],
  ['resources[]', 'the config file’s resources[]'],
];

export const clientsCommand: Command = {
  name: 'clients',
  summary: 'add, list or remove OAuth clients',
  help: `Usage: gatehouse clients add CLIENT_ID [--grant-type G]... [--redirect-uri URI]... [--public]
                                   [--scope "a b"] [--auth-method M] [--jwks-uri URL | --jwks-file FILE]
                                   [--tls-subject-dn DN | --tls-san-dns NAME | --tls-san-uri URI |
                                    --tls-san-ip IP | --tls-san-email ADDR] [--certificate-bound]
                                   [--dpop-bound] [--backchannel-logout-uri URI] [--name NAME] ...
       gatehouse clients list
       gatehouse clients remove CLIENT_ID

add     registers a client, checked by the same rules as clients[] in the config file. A
        client_secret_basic or client_secret_post client gets a 256-bit secret, printed ONCE; only
        its keyed digest is stored. Other clients get no secret: a public client (--public) proves
        itself with PKCE or the device code, the others with their keys or TLS client certificate.
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
      --auth-method M   client_secret_basic (default), client_secret_post, private_key_jwt (RFC 7523),
                        or mutual TLS (RFC 8705, needs the config file's tls section):
                        tls_client_auth (a certificate from tls.client_ca_file, named by exactly
                        one --tls-* option below) or self_signed_tls_client_auth (its key in
                        --jwks-file or --jwks-uri)
      --jwks-uri URL    https URL of the client's public keys (private_key_jwt and
                        self_signed_tls_client_auth need it or --jwks-file)
      --jwks-file FILE  a JSON file holding the client's public keys as a JWK Set ({"keys": [...]}),
                        stored with the client; not with --jwks-uri
      --tls-subject-dn DN  tls_client_auth: the certificate's subject DN (RFC 4514), e.g.
                        "CN=billing,O=Example,C=SE"
      --tls-san-dns NAME   tls_client_auth: a DNS name the certificate's SAN must carry
      --tls-san-uri URI    tls_client_auth: a URI the certificate's SAN must carry
      --tls-san-ip IP      tls_client_auth: an IPv4 or IPv6 address the certificate's SAN must carry
      --tls-san-email ADDR tls_client_auth: an email address the certificate's SAN must carry
      --certificate-bound  bind access tokens to the client's TLS certificate (cnf.x5t#S256,
                        RFC 8705 §3); needs the tls section
      --dpop-bound      the client always uses DPoP (RFC 9449): token requests without a proof
                        are refused
      --backchannel-logout-uri URI  https URL Gatehouse POSTs logout tokens to (OpenID Connect
                        Back-Channel Logout)
      --backchannel-logout-session-required  logout tokens for it carry sid; needs the option above
      --id-token-alg A  ES256, RS256 (the default) or EdDSA for its ID tokens
      --require-par     accept its authorization requests only through PAR (RFC 9126)
      --client-uri URL  its home page, shown on consent
      --logo-uri URL    its logo, shown on consent
      --name NAME       a human-readable name, shown on consent
      --json            machine-readable output
  -h, --help            show this help

Examples:
  a service calling an API (client_credentials, with a secret):
    gatehouse clients add billing-service --scope "orders:read"
  a service with a TLS client certificate from tls.client_ca_file (mutual TLS, bound tokens):
    gatehouse clients add ledger-service --auth-method tls_client_auth \\
      --tls-subject-dn "CN=ledger,O=Example,C=SE" --certificate-bound --scope "orders:read"
  a web app with a server (authorization_code, with a secret):
    gatehouse clients add portal --grant-type authorization_code --grant-type refresh_token \\
      --redirect-uri https://portal.example.com/callback --scope "openid profile offline_access"
  a web app signed out with the person (back-channel logout):
    gatehouse clients add shop --grant-type authorization_code \\
      --redirect-uri https://shop.example.com/callback --scope "openid profile" \\
      --backchannel-logout-uri https://shop.example.com/logout --backchannel-logout-session-required
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
        'jwks-file': { type: 'string' },
        'tls-subject-dn': { type: 'string' },
        'tls-san-dns': { type: 'string' },
        'tls-san-uri': { type: 'string' },
        'tls-san-ip': { type: 'string' },
        'tls-san-email': { type: 'string' },
        'certificate-bound': { type: 'boolean' },
        'dpop-bound': { type: 'boolean' },
        'backchannel-logout-uri': { type: 'string' },
        'backchannel-logout-session-required': { type: 'boolean' },
        'id-token-alg': { type: 'string' },
        'require-par': { type: 'boolean' },
        'client-uri': { type: 'string' },
        'logo-uri': { type: 'string' },
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
    if (values['jwks-file'] !== undefined && values['jwks-uri'] !== undefined) {
      throw new UsageError('give --jwks-file or --jwks-uri, not both (RFC 7591 §2)', 'clients');
    }
    if (values['backchannel-logout-session-required'] && values['backchannel-logout-uri'] === undefined) {
      throw new UsageError(
        '--backchannel-logout-session-required needs --backchannel-logout-uri, where logout tokens go',
        'clients',
      );
    }
    const jwks = values['jwks-file'] === undefined ? undefined : readJwksFile(values['jwks-file'], io);
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
        ...(jwks ? { jwks } : {}),
        ...optionalFields(values),
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
  for (const [from, to] of FIX_WORDING) {
    // The same call twice: each branch narrows `to` to what one overload of replace() takes.
    message = typeof to === 'string' ? message.replace(from, to) : message.replace(from, to);
  }
  return `${option ?? problem.key}: ${message}`;
}

/** The clients[] fields set by an option only when it is given, so the file's defaults apply. */
function optionalFields(values: Record<string, string | boolean | string[] | undefined>) {
  const fields: Record<string, string | true> = {};
  const strings: [string, string][] = [
    ['tls-subject-dn', 'tls_client_auth_subject_dn'],
    ['tls-san-dns', 'tls_client_auth_san_dns'],
    ['tls-san-uri', 'tls_client_auth_san_uri'],
    ['tls-san-ip', 'tls_client_auth_san_ip'],
    ['tls-san-email', 'tls_client_auth_san_email'],
    ['backchannel-logout-uri', 'backchannel_logout_uri'],
    ['id-token-alg', 'id_token_signed_response_alg'],
    ['client-uri', 'client_uri'],
    ['logo-uri', 'logo_uri'],
  ];
  for (const [option, field] of strings) {
    const value = values[option];
    if (typeof value === 'string') fields[field] = value;
  }
  const flags: [string, string][] = [
    ['certificate-bound', 'tls_client_certificate_bound_access_tokens'],
    ['dpop-bound', 'dpop_bound_access_tokens'],
    ['backchannel-logout-session-required', 'backchannel_logout_session_required'],
    ['require-par', 'require_pushed_authorization_requests'],
  ];
  for (const [option, field] of flags) if (values[option] === true) fields[field] = true;
  return fields;
}

/**
 * The client's public keys from --jwks-file, as the `jwks` of a clients[] entry. Private key
 * members are refused: the server would keep them, and the client's own proof would mean nothing.
 */
function readJwksFile(file: string, io: { cwd: string }): { keys: Record<string, unknown>[] } {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? 'unknown error'})`;
    throw new UsageError(`--jwks-file: '${file}': ${reason}`, 'clients');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--jwks-file: '${file}' is not JSON: ${(error as Error).message}`, 'clients');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (
    typeof parsed !== 'object' ||
    !Array.isArray(keys) ||
    !keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key))
  ) {
    throw new UsageError(
      `--jwks-file: '${file}' is not a JWK Set; it must hold {"keys": [ ...public JWKs... ]} (RFC 7517 §5)`,
      'clients',
    );
  }
  for (const [i, key] of (keys as Record<string, unknown>[]).entries()) {
    const secret = privateJwkMembers(key);
    if (secret.length > 0) {
      throw new UsageError(
        `--jwks-file: '${file}' keys[${i}] is a private or secret key (it has ${secret.join(', ')}); give the public keys only`,
        'clients',
      );
    }
  }
  return parsed as { keys: Record<string, unknown>[] };
}
