import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIssuer, type Issuer, loadConfig } from '@gatehouse/authorization-server';
import {
  createSilentLogger,
  epochSeconds,
  generateRandomToken,
  keyedDigest,
  systemClock,
} from '@gatehouse/core';
import { createCliSandbox, SANDBOX_CONFIG } from '../testing/run-cli.js';

describe('gatehouse clients', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  let secret: string;
  before(async () => {
    const { code, out } = await sandbox.run(
      'clients',
      'add',
      'billing',
      '--scope',
      'orders:read',
      '--name',
      'Billing',
    );
    assert.equal(code, 0, out);
    secret = /^client_secret: (\S+)$/m.exec(out)![1]!;
  });

  it('adds a client with a 256-bit secret shown once', () => {
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
  });

  it('lists config and admin clients', async () => {
    const { code, out } = await sandbox.run('clients', 'list');
    assert.equal(code, 0);
    assert.match(out, /^billing +admin +client_secret_basic +client_credentials +orders:read/m);
    assert.doesNotMatch(out, new RegExp(secret), 'the secret is never listed');
  });

  it('lists clients as JSON without secrets', async () => {
    const { out } = await sandbox.run('clients', 'list', '--json');
    const list = JSON.parse(out) as { client_id: string; client_secret?: string }[];
    assert.deepEqual(list.map((c) => c.client_id).sort(), ['billing']);
    assert.ok(list.every((c) => c.client_secret === undefined));
  });

  it('refuses a duplicate client_id', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'billing');
    assert.equal(code, 1);
    assert.match(err, /already exists/);
  });

  it('refuses a scope no resource defines', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'x', '--scope', 'nope');
    assert.equal(code, 2);
    assert.equal(
      err,
      "gatehouse clients: --scope: 'nope' is not a scope of any resource in the config file’s resources[]\n" +
        "Run 'gatehouse clients --help' for usage.\n",
    );
  });

  it('refuses private_key_jwt without --jwks-uri or --jwks-file', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'x', '--auth-method', 'private_key_jwt');
    assert.equal(code, 2);
    assert.match(
      err,
      /^gatehouse clients: --jwks-file: private_key_jwt needs .* in --jwks-file FILE or --jwks-uri https:/,
    );
  });

  it('refuses an unknown auth method', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'x', '--auth-method', 'client_secret_jwt');
    assert.equal(code, 2);
    assert.match(
      err,
      /--auth-method must be one of client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth, self_signed_tls_client_auth \(/,
    );
  });

  it('removes an admin client and says so for a missing one', async () => {
    await sandbox.run('clients', 'add', 'temp');
    assert.equal((await sandbox.run('clients', 'remove', 'temp')).code, 0);
    const again = await sandbox.run('clients', 'remove', 'temp');
    assert.equal(again.code, 1);
    assert.match(again.err, /no client 'temp'/);
  });

  it('needs a CLIENT_ID for add and remove', async () => {
    const { code, err } = await sandbox.run('clients', 'remove');
    assert.equal(code, 2);
    assert.match(err, /needs a CLIENT_ID/);
  });
});

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const VERIFIER = 'verifier-0123456789abcdefghijklmnopqrstuvwxyz-0123456789';

/** The message a refused `clients add` prints before the pointer to --help. */
function usage(message: string): string {
  return `gatehouse clients: ${message}\nRun 'gatehouse clients --help' for usage.\n`;
}

describe('gatehouse clients add: every kind of client, then used against an issuer on the same store', () => {
  // A resource that names a config client for introspection: clients added here are checked
  // together with the file's clients, not instead of them.
  const config = `${SANDBOX_CONFIG.replace(
    'scopes: [orders:read, orders:write]\n',
    'scopes: [orders:read, orders:write]\n    introspection_clients: [from-config]\n',
  )}users:
  - username: alice
    name: Alice Example
    email: alice@example.test
    password: correct horse battery staple
`;
  const sandbox = createCliSandbox(config);
  let issuer: Issuer;
  const secrets: Record<string, string> = {};

  async function add(...args: string[]): Promise<void> {
    const { code, out, err } = await sandbox.run('clients', 'add', ...args, '--json');
    assert.equal(code, 0, err);
    const added = JSON.parse(out) as { client_id: string; client_secret?: string };
    if (added.client_secret) secrets[added.client_id] = added.client_secret;
  }

  before(async () => {
    await add('service', '--scope', 'orders:read');
    await add(
      'portal',
      '--grant-type',
      'authorization_code',
      '--grant-type',
      'refresh_token',
      '--redirect-uri',
      'https://portal.test/callback',
      '--post-logout-redirect-uri',
      'https://portal.test/',
      '--scope',
      'openid orders:read offline_access',
      '--name',
      'Portal',
    );
    await add(
      'desktop',
      '--public',
      '--application-type',
      'native',
      '--grant-type',
      'authorization_code',
      '--redirect-uri',
      'http://127.0.0.1/callback',
      '--scope',
      'openid orders:read',
    );
    await add('tv', '--public', '--grant-type', DEVICE_GRANT, '--scope', 'openid orders:read');
    // The server's own view of the same gatehouse.yaml, data directory and master key.
    issuer = await createIssuer(
      loadConfig({
        file: join(sandbox.dir, 'gatehouse.yaml'),
        env: sandbox.env,
        overrides: { dataDir: join(sandbox.dir, 'data') },
      }),
      { env: sandbox.env, logger: createSilentLogger() },
    );
  });
  after(async () => {
    await issuer?.close();
    sandbox.cleanup();
  });

  function post(path: string, form: Record<string, string>, basic?: [string, string]) {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (basic) headers['authorization'] = `Basic ${Buffer.from(basic.join(':')).toString('base64')}`;
    return issuer.app.inject({
      method: 'POST',
      url: path,
      headers,
      payload: new URLSearchParams(form).toString(),
    });
  }

  /** Stores a code as /authorize would after alice signed in and consented; returns it. */
  async function seedCode(clientId: string, redirectUri: string, scope: string): Promise<string> {
    const ctx = issuer.context;
    const alice = (await ctx.store.users.findByUsername('alice'))!;
    const code = generateRandomToken(32);
    const now = epochSeconds(systemClock);
    await ctx.store.authorizationCodes.insert({
      digest: keyedDigest(ctx.secrets.tokenDigest, code),
      clientId,
      userId: alice.id,
      sessionId: null,
      grantId: null,
      redirectUri,
      scope,
      resource: [],
      nonce: null,
      codeChallenge: createHash('sha256').update(VERIFIER).digest('base64url'),
      codeChallengeMethod: 'S256',
      authTime: now - 5,
      amr: ['pwd'],
      acr: null,
      dpopJkt: null,
      issuedAt: now,
      expiresAt: now + 60,
      consumedAt: null,
      extra: {},
    });
    return code;
  }

  it('lists each kind with its grant types', async () => {
    const { out } = await sandbox.run('clients', 'list');
    assert.match(out, /^service +admin +client_secret_basic +client_credentials +orders:read/m);
    assert.match(out, /^portal +admin +client_secret_basic +authorization_code,refresh_token +openid/m);
    assert.match(out, /^desktop +admin +none +authorization_code +openid orders:read/m);
    assert.match(out, new RegExp(`^tv +admin +none +${DEVICE_GRANT} +openid orders:read`, 'm'));
  });

  it('prints no secret for a public client', () => {
    assert.deepEqual(Object.keys(secrets).sort(), ['portal', 'service']);
  });

  it('stores the same metadata a config-file client gets', async () => {
    const record = (await issuer.context.store.clients.find('desktop'))!;
    assert.equal(record.source, 'admin');
    assert.equal(record.secretDigest, null);
    assert.equal(record.metadata.application_type, 'native');
    assert.equal(record.metadata.token_endpoint_auth_method, 'none');
    assert.deepEqual(record.metadata.redirect_uris, ['http://127.0.0.1/callback']);
    const portal = (await issuer.context.store.clients.find('portal'))!;
    assert.deepEqual(portal.metadata.post_logout_redirect_uris, ['https://portal.test/']);
    assert.equal(portal.metadata.client_name, 'Portal');
  });

  it('a service gets a token with client_credentials and its secret', async () => {
    const res = await post('/token', { grant_type: 'client_credentials', scope: 'orders:read' }, [
      'service',
      secrets['service']!,
    ]);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().scope, 'orders:read');
  });

  it('a web app redeems an authorization code with its secret', async () => {
    const code = await seedCode(
      'portal',
      'https://portal.test/callback',
      'openid orders:read offline_access',
    );
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://portal.test/callback',
      code_verifier: VERIFIER,
    };
    const wrong = await post('/token', form, ['portal', `${secrets['portal']!}x`]);
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error, 'invalid_client');
    const res = await post('/token', form, ['portal', secrets['portal']!]);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(typeof body.access_token, 'string');
    assert.equal(typeof body.id_token, 'string');
    assert.equal(typeof body.refresh_token, 'string');
  });

  it('a public native app redeems an authorization code with PKCE alone, on any loopback port', async () => {
    const code = await seedCode('desktop', 'http://127.0.0.1:53123/callback', 'openid orders:read');
    const res = await post('/token', {
      grant_type: 'authorization_code',
      client_id: 'desktop',
      code,
      redirect_uri: 'http://127.0.0.1:53123/callback',
      code_verifier: VERIFIER,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(typeof res.json().id_token, 'string');
  });

  it('a public device client gets a device code from /device_authorization', async () => {
    const res = await post('/device_authorization', { client_id: 'tv', scope: 'openid orders:read' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(typeof body.device_code, 'string');
    assert.equal(typeof body.user_code, 'string');
    assert.match(body.verification_uri, /\/device$/);
  });

  it('a client without the device grant is refused at /device_authorization', async () => {
    const res = await post('/device_authorization', { client_id: 'desktop', scope: 'openid' });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error, 'unauthorized_client');
  });
});

/** The sandbox config with mutual TLS behind a proxy, whose CA file is never read by the CLI. */
const TLS_CONFIG = `${SANDBOX_CONFIG}tls:
  client_cert_header: x-client-cert
  trusted_proxies: [127.0.0.1]
  client_ca_file: clients-ca.pem
`;

/** A public EC P-256 JWK (RFC 7517 appendix A.1). */
const PUBLIC_JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4',
  y: '4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM',
  kid: '1',
};

describe('gatehouse clients --help', () => {
  const sandbox = createCliSandbox(TLS_CONFIG);
  after(() => sandbox.cleanup());

  it('lists every option that sets a clients[] field', async () => {
    const { code, out } = await sandbox.run('clients', '--help');
    assert.equal(code, 0);
    for (const option of [
      '--auth-method M',
      'tls_client_auth',
      'self_signed_tls_client_auth',
      '--jwks-file FILE',
      '--tls-subject-dn DN',
      '--tls-san-dns NAME',
      '--tls-san-uri URI',
      '--tls-san-ip IP',
      '--tls-san-email ADDR',
      '--certificate-bound',
      '--dpop-bound',
      '--backchannel-logout-uri URI',
      '--backchannel-logout-session-required',
      '--id-token-alg A',
      '--require-par',
      '--client-uri URL',
      '--logo-uri URL',
    ]) {
      assert.ok(out.includes(`${option} `), `help mentions ${option}`);
    }
  });

  it('has one example per kind of client, and each one works as written', async () => {
    const { code, out } = await sandbox.run('clients', '--help');
    assert.equal(code, 0);
    const examples = out
      .split('Examples:')[1]!
      .replace(/ \\\n\s+/g, ' ')
      .split('\n')
      .filter((line) => line.trim().startsWith('gatehouse clients add'));
    assert.equal(examples.length, 6);
    for (const example of examples) {
      // Split on spaces outside double quotes, as a shell would here.
      const argv = [...example.trim().matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      const added = await sandbox.run(...argv.slice(1));
      assert.equal(added.code, 0, `${example}\n${added.err}`);
    }
    const list = (await sandbox.run('clients', 'list', '--json')).out;
    const kinds = (JSON.parse(list) as { grant_types: string[]; token_endpoint_auth_method: string }[]).map(
      (c) => `${c.token_endpoint_auth_method} ${c.grant_types.join(',')}`,
    );
    assert.deepEqual(kinds.sort(), [
      'client_secret_basic authorization_code',
      'client_secret_basic authorization_code,refresh_token',
      'client_secret_basic client_credentials',
      'none authorization_code',
      `none ${DEVICE_GRANT}`,
      'tls_client_auth client_credentials',
    ]);
  });
});

describe('gatehouse clients add: refusals name the option and the fix', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  const refusals: [string, string[], string][] = [
    [
      'a public client with client_credentials',
      ['--public'],
      '--public: client_credentials is only for confidential clients (RFC 6749 §4.4); drop --public (a secret is then generated) or use another --grant-type',
    ],
    [
      '--public together with --auth-method',
      ['--public', '--auth-method', 'client_secret_post', '--grant-type', DEVICE_GRANT],
      '--public clients have no credentials; give --public or --auth-method, not both',
    ],
    [
      'an authorization_code client without a redirect URI',
      ['--grant-type', 'authorization_code'],
      '--redirect-uri: authorization_code needs at least one redirect URI (the app’s callback URL)',
    ],
    [
      'a web app with a non-loopback http redirect URI',
      ['--grant-type', 'authorization_code', '--redirect-uri', 'http://portal.test/callback'],
      '--redirect-uri: web clients need an https URL (http only for localhost); for a desktop or mobile app add --application-type native',
    ],
    [
      'a native app with a non-loopback http redirect URI',
      [
        '--public',
        '--application-type',
        'native',
        '--grant-type',
        'authorization_code',
        '--redirect-uri',
        'http://app.test/callback',
      ],
      '--redirect-uri: native clients may use http only with the loopback address 127.0.0.1 or [::1] (RFC 8252 §7.3)',
    ],
    [
      'a redirect URI with a fragment',
      ['--grant-type', 'authorization_code', '--redirect-uri', 'https://portal.test/cb#x'],
      '--redirect-uri: must not contain a fragment (RFC 6749 §3.1.2)',
    ],
    [
      'a post-logout redirect URI over plain http',
      [
        '--grant-type',
        'authorization_code',
        '--redirect-uri',
        'https://portal.test/cb',
        '--post-logout-redirect-uri',
        'http://portal.test/',
      ],
      '--post-logout-redirect-uri: web clients need an https URL (http only for localhost); for a desktop or mobile app add --application-type native',
    ],
    [
      'an unknown grant type',
      ['--grant-type', 'implicit'],
      '--grant-type: must be one of: authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code',
    ],
    [
      'refresh_token without a grant that signs people in',
      ['--grant-type', 'client_credentials', '--grant-type', 'refresh_token'],
      `--grant-type: refresh_token needs authorization_code or ${DEVICE_GRANT} too; add one or remove refresh_token`,
    ],
    [
      'OpenID scopes for a service',
      ['--scope', 'openid orders:read'],
      `--scope: openid need authorization_code or ${DEVICE_GRANT} in --grant-type; add one or remove them`,
    ],
    [
      'an unknown application type',
      ['--application-type', 'desktop'],
      '--application-type: must be one of: web, native',
    ],
    [
      'a jwks URI over http',
      ['--auth-method', 'private_key_jwt', '--jwks-uri', 'http://keys.test/jwks'],
      '--jwks-uri: must be an https URL',
    ],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what} with exit code 2 and stores nothing`, async () => {
      const { code, out, err } = await sandbox.run('clients', 'add', 'refused', ...args);
      assert.equal(code, 2, out);
      assert.equal(err, usage(message));
      assert.doesNotMatch((await sandbox.run('clients', 'list')).out, /refused/);
    });
  }

  it('refuses a client_id the config file defines', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'from-config');
    assert.equal(code, 2);
    assert.equal(err, usage("CLIENT_ID: the config file already defines 'from-config'; pick another id"));
  });

  it('refuses a CLIENT_ID with spaces', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'two words');
    assert.equal(code, 2);
    assert.match(err, /^gatehouse clients: CLIENT_ID: /);
  });
});

describe('gatehouse clients add: mutual TLS, keys, sender-constrained tokens and logout', () => {
  const sandbox = createCliSandbox(TLS_CONFIG);
  after(() => sandbox.cleanup());
  before(() => {
    writeFileSync(join(sandbox.dir, 'client-keys.json'), JSON.stringify({ keys: [PUBLIC_JWK] }));
    writeFileSync(join(sandbox.dir, 'not-json.txt'), 'keys: [a, b]\n');
    writeFileSync(join(sandbox.dir, 'one-key.json'), JSON.stringify(PUBLIC_JWK));
    writeFileSync(
      join(sandbox.dir, 'private-keys.json'),
      JSON.stringify({ keys: [{ ...PUBLIC_JWK, d: '870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE' }] }),
    );
  });

  /** The stored client, as `clients list --json` shows it. */
  async function stored(clientId: string): Promise<Record<string, unknown> | undefined> {
    const { out } = await sandbox.run('clients', 'list', '--json');
    return (JSON.parse(out) as Record<string, unknown>[]).find((c) => c.client_id === clientId);
  }

  it('adds a tls_client_auth client by its subject DN, with no secret', async () => {
    const { code, out, err } = await sandbox.run(
      'clients',
      'add',
      'ledger',
      '--auth-method',
      'tls_client_auth',
      '--tls-subject-dn',
      'CN=ledger,O=Example,C=SE',
      '--certificate-bound',
      '--scope',
      'orders:read',
    );
    assert.equal(code, 0, err);
    assert.equal(out, "added client 'ledger' (tls_client_auth; client_credentials)\n");
    assert.equal(err, '');
    const client = (await stored('ledger'))!;
    assert.equal(client.token_endpoint_auth_method, 'tls_client_auth');
    assert.equal(client.tls_client_auth_subject_dn, 'CN=ledger,O=Example,C=SE');
    assert.equal(client.tls_client_certificate_bound_access_tokens, true);
    assert.equal(client.client_secret, undefined);
  });

  it('adds a tls_client_auth client by a SAN', async () => {
    const { code, err } = await sandbox.run(
      'clients',
      'add',
      'edge',
      '--auth-method',
      'tls_client_auth',
      '--tls-san-dns',
      'edge.example.com',
    );
    assert.equal(code, 0, err);
    const client = (await stored('edge'))!;
    assert.equal(client.tls_client_auth_san_dns, 'edge.example.com');
    assert.equal(client.tls_client_auth_subject_dn, undefined);
  });

  it('stores the JWK Set of --jwks-file for self_signed_tls_client_auth', async () => {
    const { code, out, err } = await sandbox.run(
      'clients',
      'add',
      'sensor',
      '--auth-method',
      'self_signed_tls_client_auth',
      '--jwks-file',
      'client-keys.json',
      '--json',
    );
    assert.equal(code, 0, err);
    const added = JSON.parse(out) as Record<string, unknown>;
    assert.equal(added.client_secret, undefined);
    assert.deepEqual((await stored('sensor'))!.jwks, { keys: [PUBLIC_JWK] });
  });

  it('stores the JWK Set of --jwks-file for private_key_jwt, found from an absolute path too', async () => {
    const file = join(sandbox.dir, 'client-keys.json');
    const { code, err } = await sandbox.run(
      'clients',
      'add',
      'signer',
      '--auth-method',
      'private_key_jwt',
      '--jwks-file',
      file,
    );
    assert.equal(code, 0, err);
    const client = (await stored('signer'))!;
    assert.equal(client.token_endpoint_auth_method, 'private_key_jwt');
    assert.deepEqual(client.jwks, { keys: [PUBLIC_JWK] });
  });

  it('stores back-channel logout, DPoP binding and the other sign-in fields', async () => {
    const { code, err } = await sandbox.run(
      'clients',
      'add',
      'shop',
      '--grant-type',
      'authorization_code',
      '--redirect-uri',
      'https://shop.test/callback',
      '--scope',
      'openid',
      '--backchannel-logout-uri',
      'https://shop.test/logout',
      '--backchannel-logout-session-required',
      '--dpop-bound',
      '--id-token-alg',
      'EdDSA',
      '--require-par',
      '--client-uri',
      'https://shop.test/',
      '--logo-uri',
      'https://shop.test/logo.png',
    );
    assert.equal(code, 0, err);
    const client = (await stored('shop'))!;
    assert.equal(client.backchannel_logout_uri, 'https://shop.test/logout');
    assert.equal(client.backchannel_logout_session_required, true);
    assert.equal(client.dpop_bound_access_tokens, true);
    assert.equal(client.id_token_signed_response_alg, 'EdDSA');
    assert.equal(client.require_pushed_authorization_requests, true);
    assert.equal(client.client_uri, 'https://shop.test/');
    assert.equal(client.logo_uri, 'https://shop.test/logo.png');
  });

  it('leaves the flags at the config file’s defaults when they are not given', async () => {
    const client = (await stored('edge'))!;
    assert.equal(client.tls_client_certificate_bound_access_tokens, false);
    assert.equal(client.dpop_bound_access_tokens, false);
    assert.equal(client.backchannel_logout_session_required, false);
    assert.equal(client.require_pushed_authorization_requests, false);
  });

  const tlsAuth = ['--auth-method', 'tls_client_auth'];
  const subjects =
    '--tls-subject-dn, --tls-san-dns, --tls-san-uri, --tls-san-ip, --tls-san-email (RFC 8705 §2.1.2)';
  const refusals: [string, string[], string][] = [
    [
      'tls_client_auth without a subject option',
      tlsAuth,
      `--auth-method: tls_client_auth needs exactly one of ${subjects}`,
    ],
    [
      'tls_client_auth with two subject options',
      [...tlsAuth, '--tls-subject-dn', 'CN=x', '--tls-san-dns', 'x.example.com'],
      `--auth-method: tls_client_auth needs exactly one of ${subjects}`,
    ],
    [
      'a subject option without tls_client_auth',
      ['--tls-san-email', 'ops@example.com'],
      '--tls-san-email: used only with --auth-method tls_client_auth; remove it',
    ],
    [
      'a subject DN that is not RFC 4514',
      [...tlsAuth, '--tls-subject-dn', 'ledger'],
      "--tls-subject-dn: not an RFC 4514 distinguished name: 'ledger' has no '='",
    ],
    [
      'a SAN IP that is not an address',
      [...tlsAuth, '--tls-san-ip', '10.0.0'],
      '--tls-san-ip: must be an IPv4 or IPv6 address',
    ],
    [
      'self_signed_tls_client_auth without keys',
      ['--auth-method', 'self_signed_tls_client_auth'],
      '--jwks-file: self_signed_tls_client_auth needs the client’s certificates or keys in --jwks-file FILE or --jwks-uri https://...',
    ],
    [
      'a --jwks-file that does not exist',
      ['--auth-method', 'self_signed_tls_client_auth', '--jwks-file', 'missing.json'],
      "--jwks-file: 'missing.json': file not found",
    ],
    [
      'a --jwks-file that holds one JWK, not a set',
      ['--auth-method', 'private_key_jwt', '--jwks-file', 'one-key.json'],
      `--jwks-file: 'one-key.json' is not a JWK Set; it must hold {"keys": [ ...public JWKs... ]} (RFC 7517 §5)`,
    ],
    [
      'a --jwks-file with a private key',
      ['--auth-method', 'private_key_jwt', '--jwks-file', 'private-keys.json'],
      "--jwks-file: 'private-keys.json' keys[0] is a private or secret key (it has d); give the public keys only",
    ],
    [
      '--jwks-file together with --jwks-uri',
      [
        '--auth-method',
        'private_key_jwt',
        '--jwks-file',
        'client-keys.json',
        '--jwks-uri',
        'https://keys.test/jwks',
      ],
      'give --jwks-file or --jwks-uri, not both (RFC 7591 §2)',
    ],
    [
      'a back-channel logout URI over plain http',
      [
        '--grant-type',
        'authorization_code',
        '--redirect-uri',
        'https://shop.test/callback',
        '--backchannel-logout-uri',
        'http://shop.test/logout',
      ],
      '--backchannel-logout-uri: must be an https URL (http only for localhost)',
    ],
    [
      '--backchannel-logout-session-required without a logout URI',
      ['--backchannel-logout-session-required'],
      '--backchannel-logout-session-required needs --backchannel-logout-uri, where logout tokens go',
    ],
    [
      'an ID token algorithm Gatehouse does not sign with',
      ['--id-token-alg', 'HS256'],
      '--id-token-alg: must be one of: ES256, RS256, EdDSA',
    ],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what} with exit code 2 and stores nothing`, async () => {
      const { code, out, err } = await sandbox.run('clients', 'add', 'refused', ...args);
      assert.equal(code, 2, out);
      assert.equal(err, usage(message));
      assert.equal(await stored('refused'), undefined);
    });
  }

  it('refuses a --jwks-file that is not JSON, naming the file', async () => {
    const { code, err } = await sandbox.run(
      'clients',
      'add',
      'refused',
      '--auth-method',
      'private_key_jwt',
      '--jwks-file',
      'not-json.txt',
    );
    assert.equal(code, 2);
    assert.match(err, /^gatehouse clients: --jwks-file: 'not-json\.txt' is not JSON: \S/);
    assert.equal(await stored('refused'), undefined);
  });
});

describe('gatehouse clients add: mutual TLS without a tls section', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  const fix =
    'mutual TLS needs a tls section in the config file: tls.cert_file and tls.key_file (Gatehouse runs ' +
    'the HTTPS listener) or tls.client_cert_header and tls.trusted_proxies (a proxy terminates TLS); ' +
    'add it, then run this again';

  it('refuses tls_client_auth and says how to turn mutual TLS on', async () => {
    const { code, err } = await sandbox.run(
      'clients',
      'add',
      'ledger',
      '--auth-method',
      'tls_client_auth',
      '--tls-subject-dn',
      'CN=ledger',
    );
    assert.equal(code, 2);
    assert.equal(err, usage(`--auth-method: ${fix}`));
  });

  it('refuses certificate-bound tokens for a client with a secret', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'billing', '--certificate-bound');
    assert.equal(code, 2);
    assert.equal(err, usage(`--certificate-bound: ${fix}`));
  });
});

describe('gatehouse clients add: tls_client_auth without tls.client_ca_file', () => {
  const sandbox = createCliSandbox(TLS_CONFIG.replace('  client_ca_file: clients-ca.pem\n', ''));
  after(() => sandbox.cleanup());

  it('names the config key to set, and accepts self_signed_tls_client_auth, which needs no CA', async () => {
    const refused = await sandbox.run(
      'clients',
      'add',
      'ledger',
      '--auth-method',
      'tls_client_auth',
      '--tls-subject-dn',
      'CN=ledger',
    );
    assert.equal(refused.code, 2);
    assert.equal(
      refused.err,
      usage(
        '--auth-method: tls_client_auth needs tls.client_ca_file in the config file, the CAs its certificates chain to',
      ),
    );
    writeFileSync(join(sandbox.dir, 'keys.json'), JSON.stringify({ keys: [PUBLIC_JWK] }));
    const added = await sandbox.run(
      'clients',
      'add',
      'ledger',
      '--auth-method',
      'self_signed_tls_client_auth',
      '--jwks-file',
      'keys.json',
    );
    assert.equal(added.code, 0, added.err);
  });
});
