import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from './config-error.js';
import { loadConfig, validateConfig } from './load.js';

const SECRET = 'a-client-secret-of-at-least-32-characters';

const YAML_DOCUMENT = `
issuer: https://id.example.com
listen:
  host: 0.0.0.0
  port: 9000
resources:
  - id: https://api.example.com
    scopes: [orders:read, orders:write]
    token_format: opaque
    introspection_clients: [gateway]
clients:
  - client_id: billing
    client_secret: ${SECRET}
    scope: orders:read
  - client_id: gateway
    client_secret: ${SECRET}
    token_endpoint_auth_method: client_secret_post
`;

const JSON_DOCUMENT = {
  issuer: 'https://id.example.com',
  listen: { host: '0.0.0.0', port: 9000 },
  resources: [
    {
      id: 'https://api.example.com',
      scopes: ['orders:read', 'orders:write'],
      token_format: 'opaque',
      introspection_clients: ['gateway'],
    },
  ],
  clients: [
    { client_id: 'billing', client_secret: SECRET, scope: 'orders:read' },
    { client_id: 'gateway', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' },
  ],
};

/** The problems of a document that must not validate. */
function problemsOf(document: unknown): { key: string; message: string }[] {
  try {
    validateConfig(document);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

/** A client entry that is valid unless a test changes it. */
const client = (fields: Record<string, unknown> = {}) => ({
  client_id: 'billing',
  client_secret: SECRET,
  ...fields,
});
const resource = (fields: Record<string, unknown> = {}) => ({
  id: 'https://api.example.com',
  scopes: ['orders:read'],
  ...fields,
});

describe('loadConfig', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives a complete config from the defaults alone', () => {
    assert.deepEqual(loadConfig({ env: {} }), {
      issuer: 'http://localhost:8080',
      listen: { host: '127.0.0.1', port: 8080 },
      data_dir: './data',
      log_level: 'info',
      request_logging: true,
      tokens: {
        access_token_lifetime: 300,
        id_token_lifetime: 300,
        refresh_token_idle_lifetime: 1_209_600,
        refresh_token_absolute_lifetime: 2_592_000,
        signing_alg: 'ES256',
      },
      keys: { publish_before_use: 3600, reload_interval: 60 },
      limits: { body_bytes: 16_384 },
      cache: { client_seconds: 5 },
      resources: [],
      clients: [],
      accounts: {
        password_min_length: 12,
        login_throttle: {
          account_failures: 5,
          address_failures: 20,
          base_delay: 1,
          max_delay: 900,
          forget_after: 3600,
        },
      },
      sessions: { idle_timeout: 1800, absolute_timeout: 43_200, max_per_user: 0 },
      device: {
        code_lifetime: 600,
        interval: 5,
        verification_throttle: {
          address_failures: 10,
          total_failures: 1000,
          base_delay: 60,
          max_delay: 900,
          forget_after: 3600,
        },
      },
      dpop: { proof_max_age: 60, clock_skew: 5, require_nonce: false, nonce_lifetime: 300 },
      users: [],
    });
  });

  it('reads a YAML file and fills in the defaults of every entry', () => {
    const config = loadConfig({ file: write('gatehouse.yaml', YAML_DOCUMENT), env: {} });
    assert.equal(config.issuer, 'https://id.example.com');
    assert.deepEqual(config.listen, { host: '0.0.0.0', port: 9000 });
    assert.deepEqual(config.resources, [
      {
        id: 'https://api.example.com',
        scopes: ['orders:read', 'orders:write'],
        token_format: 'opaque',
        introspection_clients: ['gateway'],
      },
    ]);
    assert.deepEqual(config.clients[0], {
      client_id: 'billing',
      client_secret: SECRET,
      scope: 'orders:read',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      post_logout_redirect_uris: [],
      application_type: 'web',
      require_pushed_authorization_requests: false,
      backchannel_logout_session_required: false,
      token_endpoint_auth_method: 'client_secret_basic',
      tls_client_certificate_bound_access_tokens: false,
      dpop_bound_access_tokens: false,
    });
    assert.equal(config.clients[1]!.token_endpoint_auth_method, 'client_secret_post');
  });

  it('reads a JSON file to the same config as the equivalent YAML', () => {
    const fromJson = loadConfig({ file: write('gatehouse.json', JSON.stringify(JSON_DOCUMENT)), env: {} });
    const fromYaml = loadConfig({ file: write('same.yaml', YAML_DOCUMENT), env: {} });
    assert.deepEqual(fromJson, fromYaml);
  });

  it('treats an empty YAML file as all defaults', () => {
    assert.deepEqual(loadConfig({ file: write('empty.yaml', ''), env: {} }), loadConfig({ env: {} }));
  });

  it('lets GATEHOUSE_* variables override the file', () => {
    const config = loadConfig({
      file: write('env.yaml', YAML_DOCUMENT),
      env: {
        GATEHOUSE_PORT: '7000',
        GATEHOUSE_HOST: '127.0.0.2',
        GATEHOUSE_ISSUER: 'https://env.example.com',
        GATEHOUSE_DATA_DIR: '/var/lib/gatehouse',
        GATEHOUSE_DATABASE_URL: 'postgres://db.example.com/gatehouse',
        GATEHOUSE_LOG_LEVEL: 'warn',
      },
    });
    assert.deepEqual(config.listen, { host: '127.0.0.2', port: 7000 });
    assert.equal(config.issuer, 'https://env.example.com');
    assert.equal(config.data_dir, '/var/lib/gatehouse');
    assert.equal(config.database_url, 'postgres://db.example.com/gatehouse');
    assert.equal(config.log_level, 'warn');
  });

  it('derives the default issuer from the port it was given', () => {
    assert.equal(loadConfig({ env: { GATEHOUSE_PORT: '9999' } }).issuer, 'http://localhost:9999');
  });

  it('ignores empty GATEHOUSE_* variables', () => {
    const config = loadConfig({ env: { GATEHOUSE_PORT: '', GATEHOUSE_ISSUER: '' } });
    assert.equal(config.listen.port, 8080);
    assert.equal(config.issuer, 'http://localhost:8080');
  });

  it('lets command-line values win over the environment and the file', () => {
    const config = loadConfig({
      file: write('cli.yaml', YAML_DOCUMENT),
      env: {
        GATEHOUSE_PORT: '7000',
        GATEHOUSE_HOST: '127.0.0.2',
        GATEHOUSE_ISSUER: 'https://env.example.com',
        GATEHOUSE_DATA_DIR: '/env',
        GATEHOUSE_DATABASE_URL: 'postgres://env/db',
      },
      overrides: {
        port: 6000,
        host: '::',
        issuer: 'https://cli.example.com',
        dataDir: '/cli',
        databaseUrl: 'postgresql://cli/db',
      },
    });
    assert.deepEqual(config.listen, { host: '::', port: 6000 });
    assert.equal(config.issuer, 'https://cli.example.com');
    assert.equal(config.data_dir, '/cli');
    assert.equal(config.database_url, 'postgresql://cli/db');
  });

  it('names listen.port when GATEHOUSE_PORT is not a number', () => {
    assert.throws(
      () => loadConfig({ env: { GATEHOUSE_PORT: 'eighty' } }),
      (error: ConfigError) => {
        assert.deepEqual(error.problems, [{ key: 'listen.port', message: 'must be integer' }]);
        return true;
      },
    );
  });

  it('names listen when it is not a mapping, even with GATEHOUSE_PORT set', () => {
    const file = write('scalar-listen.yaml', 'listen: 8080\n');
    assert.throws(
      () => loadConfig({ file, env: { GATEHOUSE_PORT: '9000' } }),
      (error: ConfigError) => {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
        assert.deepEqual(error.problems, [{ key: 'listen', message: 'must be object' }]);
        return true;
      },
    );
  });

  it('reports a missing file with its path', () => {
    const file = join(dir, 'missing.yaml');
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (error: ConfigError) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.source, file);
        assert.deepEqual(error.problems, [{ key: '', message: 'file not found (check --config)' }]);
        assert.match(error.message, new RegExp(`^invalid configuration in ${file}:`));
        return true;
      },
    );
  });

  it('reports invalid YAML as such', () => {
    const file = write('broken.yaml', 'issuer: [unclosed\nclients: {');
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (error: ConfigError) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 1);
        assert.equal(error.problems[0]!.key, '');
        assert.match(error.problems[0]!.message, /^not valid YAML: /);
        return true;
      },
    );
  });

  it('reports invalid JSON as such', () => {
    const file = write('broken.json', '{"issuer": ');
    assert.throws(
      () => loadConfig({ file, env: {} }),
      (error: ConfigError) => {
        assert.match(error.problems[0]!.message, /^not valid JSON: /);
        return true;
      },
    );
  });

  for (const [what, text] of [
    ['a list', '- issuer: https://id.example.com\n'],
    ['a plain string', 'issuer https://id.example.com\n'],
    ['a number', '42\n'],
  ]) {
    it(`reports a file holding ${what} instead of a mapping`, () => {
      const file = write('not-a-mapping.yaml', text!);
      assert.throws(
        () => loadConfig({ file, env: {} }),
        (error: ConfigError) => {
          assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
          assert.deepEqual(error.problems, [
            { key: '', message: 'the configuration must be a mapping of keys to values' },
          ]);
          return true;
        },
      );
    });
  }
});

describe('validateConfig errors name the key in YAML form', () => {
  it('names a misspelt key inside a list entry', () => {
    assert.deepEqual(problemsOf({ clients: [{ client_id: 'billing', client_secert: SECRET }] }), [
      {
        key: 'clients[0].client_secert',
        message: 'unknown key (check the spelling; see docs/configuration.md)',
      },
    ]);
  });

  it('names each misspelt key, at the top level and nested', () => {
    assert.deepEqual(problemsOf({ isuer: 'https://id.example.com', tokens: { lifetime: 60 } }), [
      { key: 'isuer', message: 'unknown key (check the spelling; see docs/configuration.md)' },
      { key: 'tokens.lifetime', message: 'unknown key (check the spelling; see docs/configuration.md)' },
    ]);
  });

  it('names a value of the wrong type', () => {
    assert.deepEqual(problemsOf({ listen: { port: 'eighty' } }), [
      { key: 'listen.port', message: 'must be integer' },
    ]);
    assert.deepEqual(problemsOf({ resources: [resource({ scopes: 'orders:read' })] }), [
      { key: 'resources[0].scopes', message: 'must be array' },
    ]);
  });

  it('lists the allowed values of a key that takes one of a few', () => {
    assert.deepEqual(problemsOf({ log_level: 'loud' }), [
      { key: 'log_level', message: 'must be one of: fatal, error, warn, info, debug, trace, silent' },
    ]);
    assert.deepEqual(problemsOf({ tokens: { signing_alg: 'HS256' } }), [
      { key: 'tokens.signing_alg', message: 'must be one of: ES256, RS256, EdDSA' },
    ]);
    assert.deepEqual(problemsOf({ clients: [client({ token_endpoint_auth_method: 'basic' })] }), [
      {
        key: 'clients[0].token_endpoint_auth_method',
        message:
          'must be one of: client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth, ' +
          'self_signed_tls_client_auth, none',
      },
    ]);
    assert.deepEqual(problemsOf({ clients: [client({ grant_types: ['password'] })] }), [
      {
        key: 'clients[0].grant_types[0]',
        message:
          'must be one of: authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code',
      },
    ]);
  });

  it('names a missing required key', () => {
    assert.deepEqual(problemsOf({ clients: [{ client_secret: SECRET }] }), [
      { key: 'clients[0]', message: "missing required key 'client_id'" },
    ]);
  });

  it('lists every problem at once, however many a single key causes', () => {
    const problems = problemsOf({
      log_level: 'loud',
      request_logging: 'yes',
      tokens: { signing_alg: 'HS256' },
      clients: [client({ client_secret: 'short' })],
    });
    assert.deepEqual(
      problems.map((p) => p.key),
      ['log_level', 'request_logging', 'tokens.signing_alg', 'clients[0].client_secret'],
    );
  });

  it('refuses an http issuer other than localhost', () => {
    assert.deepEqual(problemsOf({ issuer: 'http://id.example.com' }), [
      { key: 'issuer', message: 'must use https (http is allowed only for localhost)' },
    ]);
  });

  it('allows http for the loopback hosts', () => {
    for (const issuer of ['http://localhost:8080', 'http://127.0.0.1:8080', 'http://[::1]:8080']) {
      assert.equal(validateConfig({ issuer }).issuer, issuer);
    }
  });

  it('refuses an issuer with a query or fragment (RFC 8414 §2)', () => {
    const message = 'must not have a query or fragment (RFC 8414 §2)';
    assert.deepEqual(problemsOf({ issuer: 'https://id.example.com?tenant=a' }), [{ key: 'issuer', message }]);
    assert.deepEqual(problemsOf({ issuer: 'https://id.example.com#top' }), [{ key: 'issuer', message }]);
  });

  it('refuses an issuer with a trailing slash', () => {
    assert.deepEqual(problemsOf({ issuer: 'https://id.example.com/' }), [
      { key: 'issuer', message: 'must not end with a slash' },
    ]);
  });

  it('refuses an issuer that is not an absolute URL', () => {
    assert.deepEqual(problemsOf({ issuer: 'id.example.com' }), [
      { key: 'issuer', message: "'id.example.com' is not an absolute URL" },
    ]);
  });

  it('names the second of two clients with the same client_id', () => {
    assert.deepEqual(problemsOf({ clients: [client(), client()] }), [
      { key: 'clients[1].client_id', message: "duplicate client_id 'billing'" },
    ]);
  });

  it('names the second of two resources with the same id', () => {
    assert.deepEqual(problemsOf({ resources: [resource(), resource()] }), [
      { key: 'resources[1].id', message: "duplicate resource 'https://api.example.com'" },
    ]);
  });

  it('refuses a resource id with a fragment', () => {
    assert.deepEqual(problemsOf({ resources: [resource({ id: 'https://api.example.com#v1' })] }), [
      { key: 'resources[0].id', message: 'must not contain a fragment (RFC 8707 §2)' },
    ]);
  });

  it('requires client_secret for client_secret_basic and client_secret_post', () => {
    for (const method of ['client_secret_basic', 'client_secret_post']) {
      const problems = problemsOf({
        clients: [{ client_id: 'billing', token_endpoint_auth_method: method }],
      });
      assert.deepEqual(problems, [
        {
          key: 'clients[0].client_secret',
          message: `required for token_endpoint_auth_method ${method} (generate one: openssl rand -base64 32)`,
        },
      ]);
    }
  });

  it('requires client_secret when the method is left to its default', () => {
    assert.equal(problemsOf({ clients: [{ client_id: 'billing' }] })[0]!.key, 'clients[0].client_secret');
  });

  it('refuses a client_secret shorter than 32 characters', () => {
    assert.deepEqual(problemsOf({ clients: [client({ client_secret: 'x'.repeat(31) })] }), [
      { key: 'clients[0].client_secret', message: 'must not have fewer than 32 characters' },
    ]);
  });

  it('refuses a client_secret for a client that does not use one', () => {
    const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] };
    assert.deepEqual(
      problemsOf({ clients: [client({ token_endpoint_auth_method: 'private_key_jwt', jwks })] }),
      [
        {
          key: 'clients[0].client_secret',
          message: 'not used with token_endpoint_auth_method private_key_jwt; remove it',
        },
      ],
    );
  });

  it('requires jwks or jwks_uri for private_key_jwt, and an https jwks_uri', () => {
    assert.deepEqual(
      problemsOf({ clients: [{ client_id: 'a', token_endpoint_auth_method: 'private_key_jwt' }] }),
      [
        {
          key: 'clients[0].jwks',
          message: 'private_key_jwt needs the client’s public keys in jwks or jwks_uri',
        },
      ],
    );
    assert.deepEqual(
      problemsOf({
        clients: [
          {
            client_id: 'a',
            token_endpoint_auth_method: 'private_key_jwt',
            jwks_uri: 'http://a.example.com/jwks',
          },
        ],
      }),
      [{ key: 'clients[0].jwks_uri', message: 'must be an https URL' }],
    );
  });

  it('refuses client_credentials for a public client (RFC 6749 §4.4)', () => {
    const problems = problemsOf({ clients: [{ client_id: 'app', token_endpoint_auth_method: 'none' }] });
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.key, 'clients[0].token_endpoint_auth_method');
    assert.match(problems[0]!.message, /^client_credentials is only for confidential clients/);
  });

  it('refuses a client scope that no resource defines', () => {
    assert.deepEqual(
      problemsOf({ resources: [resource()], clients: [client({ scope: 'orders:read orders:delete' })] }),
      [{ key: 'clients[0].scope', message: "'orders:delete' is not a scope of any resource in resources[]" }],
    );
  });

  it('refuses introspection_clients naming a client that does not exist', () => {
    assert.deepEqual(
      problemsOf({ resources: [resource({ introspection_clients: ['gateway'] })], clients: [client()] }),
      [{ key: 'resources[0].introspection_clients', message: "no client 'gateway' in clients[]" }],
    );
  });

  it('lists every semantic problem in one error whose message names each key', () => {
    assert.throws(
      () =>
        validateConfig(
          { issuer: 'http://id.example.com/', clients: [client({ scope: 'nope' }), client()] },
          'gatehouse.yaml',
        ),
      (error: ConfigError) => {
        assert.deepEqual(
          error.problems.map((p) => p.key),
          ['issuer', 'issuer', 'clients[0].scope', 'clients[1].client_id'],
        );
        assert.match(
          error.message,
          /^invalid configuration in gatehouse\.yaml:\n {2}- issuer: must use https/,
        );
        assert.match(error.message, /\n {2}- clients\[1\]\.client_id: duplicate client_id 'billing'/);
        return true;
      },
    );
  });

  it('refuses a document that is not a mapping', () => {
    for (const document of [null, [], 'issuer: x', 42]) {
      assert.deepEqual(problemsOf(document), [
        { key: '', message: 'the configuration must be a mapping of keys to values' },
      ]);
    }
  });
});

describe('the management listener', () => {
  it('takes a host and port, the host defaulting to loopback', () => {
    const config = validateConfig({ management: { port: 9464 } });
    assert.deepEqual(config.management, { host: '127.0.0.1', port: 9464 });
    assert.equal(validateConfig({}).management, undefined, 'none unless configured');
  });

  it('must not share a port with the public or the mutual-TLS listener', () => {
    assert.deepEqual(problemsOf({ listen: { port: 8080 }, management: { port: 8080 } }), [
      { key: 'management.port', message: 'must differ from listen.port' },
    ]);
    assert.deepEqual(problemsOf({ management: { host: '127.0.0.1' } }), [
      { key: 'management', message: "missing required key 'port'" },
    ]);
  });
});
