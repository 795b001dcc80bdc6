import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
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

  it('refuses private_key_jwt without --jwks-uri', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'x', '--auth-method', 'private_key_jwt');
    assert.equal(code, 2);
    assert.match(err, /^gatehouse clients: --jwks-uri: private_key_jwt needs .* in --jwks-uri https:/);
  });

  it('refuses an unknown auth method', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'x', '--auth-method', 'tls_client_auth');
    assert.equal(code, 2);
    assert.match(err, /--auth-method must be one of/);
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

describe('gatehouse clients --help', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  it('has one example per kind of client, and each one works as written', async () => {
    const { code, out } = await sandbox.run('clients', '--help');
    assert.equal(code, 0);
    const examples = out
      .split('Examples:')[1]!
      .replace(/ \\\n\s+/g, ' ')
      .split('\n')
      .filter((line) => line.trim().startsWith('gatehouse clients add'));
    assert.equal(examples.length, 4);
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
      'client_secret_basic authorization_code,refresh_token',
      'client_secret_basic client_credentials',
      'none authorization_code',
      `none ${DEVICE_GRANT}`,
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
