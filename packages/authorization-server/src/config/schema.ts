/**
 * The closed schema of `gatehouse.yaml`. Every key has a default (where one is safe) and a
 * description; unknown keys are errors, so a typo never silently falls back to a default.
 *
 * @example
 * ```yaml
 * issuer: https://id.example.com
 * listen: { host: 0.0.0.0, port: 8080 }
 * resources:
 *   - id: https://api.example.com
 *     scopes: [orders:read, orders:write]
 * clients:
 *   - client_id: billing-service
 *     client_secret: "generated-with: openssl rand -base64 32"
 *     grant_types: [client_credentials]
 *     scope: orders:read
 * ```
 */
import { type Static, Type } from 'typebox';

const Seconds = (description: string, defaultValue: number, maximum = 31_536_000) =>
  Type.Integer({ minimum: 1, maximum, default: defaultValue, description });

export const SigningAlgSchema = Type.Union(
  [Type.Literal('ES256'), Type.Literal('RS256'), Type.Literal('EdDSA')],
  {
    description: 'JWS algorithm of the keys Gatehouse signs with.',
  },
);

export const ResourceSchema = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        'Absolute URI of the protected API (RFC 8707 resource indicator); the `aud` of its tokens.',
    }),
    name: Type.Optional(Type.String({ maxLength: 200, description: 'Human-readable name.' })),
    scopes: Type.Array(
      Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }),
      {
        default: [],
        description: 'Scopes this API defines (RFC 6749 §3.3 scope-token syntax).',
      },
    ),
    token_format: Type.Union([Type.Literal('jwt'), Type.Literal('opaque')], {
      default: 'jwt',
      description:
        '`jwt` (RFC 9068, verified locally by the API) or `opaque` (random, checked by introspection).',
    }),
    // No `default` here: Value.Default would fill one in and tokens.access_token_lifetime, the
    // documented fallback, would never apply.
    access_token_lifetime: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 86_400,
        description:
          'Lifetime of access tokens for this API, in seconds (defaults to tokens.access_token_lifetime).',
      }),
    ),
    introspection_clients: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'client_ids (besides the token’s own client) allowed to introspect tokens for this API.',
    }),
  },
  { additionalProperties: false },
);

const TlsSubjectField = (description: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description }));

/** RFC 8705 §2.1.2 and §3.4 client metadata. */
const TlsClientMetadata = {
  tls_client_auth_subject_dn: TlsSubjectField(
    'tls_client_auth: the certificate’s subject DN as an RFC 4514 string, e.g. "CN=billing,O=Example,C=SE".',
  ),
  tls_client_auth_san_dns: TlsSubjectField('tls_client_auth: a dNSName SAN the certificate must carry.'),
  tls_client_auth_san_uri: TlsSubjectField(
    'tls_client_auth: a uniformResourceIdentifier SAN the certificate must carry.',
  ),
  tls_client_auth_san_ip: TlsSubjectField(
    'tls_client_auth: an iPAddress SAN (IPv4 or IPv6) the certificate must carry.',
  ),
  tls_client_auth_san_email: TlsSubjectField(
    'tls_client_auth: an rfc822Name SAN the certificate must carry.',
  ),
  tls_client_certificate_bound_access_tokens: Type.Boolean({
    default: false,
    description:
      'Bind this client’s access tokens to its TLS client certificate (cnf.x5t#S256, RFC 8705 §3); its ' +
      'token requests must then come over mutual TLS.',
  }),
};

export const ClientSchema = Type.Object(
  {
    client_id: Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' }),
    client_secret: Type.Optional(
      Type.String({
        minLength: 32,
        maxLength: 512,
        description: 'At least 32 characters; stored only as a keyed digest.',
      }),
    ),
    client_name: Type.Optional(Type.String({ maxLength: 200 })),
    grant_types: Type.Array(
      Type.Union([
        Type.Literal('authorization_code'),
        Type.Literal('refresh_token'),
        Type.Literal('client_credentials'),
        Type.Literal('urn:ietf:params:oauth:grant-type:device_code'),
      ]),
      {
        minItems: 1,
        default: ['client_credentials'],
        description:
          'Grant types the client may use; refresh_token only together with authorization_code or ' +
          'the device grant (urn:ietf:params:oauth:grant-type:device_code, RFC 8628).',
      },
    ),
    response_types: Type.Optional(
      Type.Array(Type.Literal('code'), {
        minItems: 1,
        description:
          'OAuth 2.1 knows only `code`; implied by grant_types authorization_code (RFC 7591 §2.1).',
      }),
    ),
    redirect_uris: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
      default: [],
      description:
        'Exact redirect URIs (required with authorization_code): https for web apps; for native apps ' +
        'http://127.0.0.1 or http://[::1] (any port at run time), a reverse-domain private-use scheme, or https.',
    }),
    post_logout_redirect_uris: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
      default: [],
      description:
        'Exact URIs the client may send people to after logout (OpenID Connect RP-Initiated Logout).',
    }),
    application_type: Type.Union([Type.Literal('web'), Type.Literal('native')], {
      default: 'web',
      description:
        '`web` (a server or browser app, https redirect URIs) or `native` (a desktop or mobile app, RFC 8252).',
    }),
    require_pushed_authorization_requests: Type.Boolean({
      default: false,
      description: 'Accept authorization requests from this client only through PAR (RFC 9126 §6).',
    }),
    // No `default`: unset means RS256 (OIDC Registration §2); filling it in would hide whether
    // the client chose an alg.
    id_token_signed_response_alg: Type.Optional(
      Type.Union([Type.Literal('ES256'), Type.Literal('RS256'), Type.Literal('EdDSA')], {
        description: 'JWS algorithm of this client’s ID tokens (defaults to RS256, OIDC Registration §2).',
      }),
    ),
    backchannel_logout_uri: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description: 'https URL Gatehouse POSTs logout tokens to (OpenID Connect Back-Channel Logout).',
      }),
    ),
    backchannel_logout_session_required: Type.Boolean({
      default: false,
      description: 'Whether logout tokens for this client must carry the `sid` claim.',
    }),
    client_uri: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description: 'Home page of the client, shown on consent.',
      }),
    ),
    logo_uri: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2048, description: 'Logo of the client, shown on consent.' }),
    ),
    token_endpoint_auth_method: Type.Union(
      [
        Type.Literal('client_secret_basic'),
        Type.Literal('client_secret_post'),
        Type.Literal('private_key_jwt'),
        Type.Literal('tls_client_auth'),
        Type.Literal('self_signed_tls_client_auth'),
        Type.Literal('none'),
      ],
      {
        default: 'client_secret_basic',
        description:
          '`none` is for public clients (browser and native apps) using authorization_code with PKCE; ' +
          '`tls_client_auth` and `self_signed_tls_client_auth` are mutual TLS (RFC 8705 §2, needs `tls`).',
      },
    ),
    ...TlsClientMetadata,
    dpop_bound_access_tokens: Type.Boolean({
      default: false,
      description:
        'The client always uses DPoP (RFC 9449 §5.2): token requests without a DPoP proof are rejected.',
    }),
    token_endpoint_auth_signing_alg: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    scope: Type.Optional(
      Type.String({ maxLength: 4096, description: 'Space-separated scopes the client may be granted.' }),
    ),
    jwks: Type.Optional(Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) })),
    jwks_uri: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  },
  { additionalProperties: false },
);

export const UserSchema = Type.Object(
  {
    username: Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        "Sign-in name, unique regardless of case: ASCII letters, digits, '.', '_' and '-', starting with a letter or digit.",
    }),
    email: Type.Optional(
      Type.String({ minLength: 3, maxLength: 254, description: 'Email address, unique regardless of case.' }),
    ),
    email_verified: Type.Boolean({
      default: false,
      description: 'Whether the email is known to be the user’s (the OpenID Connect `email_verified` claim).',
    }),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Full name (the OpenID Connect `name` claim).',
      }),
    ),
    roles: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      default: [],
      description: 'Role names, carried in tokens for APIs to authorize on.',
    }),
    groups: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      default: [],
      description: 'Group names, carried in tokens like roles.',
    }),
    password: Type.Optional(
      Type.String({
        maxLength: 1024,
        description:
          'Plain password, for development and tests only: at least accounts.password_min_length characters. ' +
          'Hashed with argon2id at start; the stored hash is kept while it still matches.',
      }),
    ),
    password_hash: Type.Optional(
      Type.String({
        maxLength: 1024,
        description:
          'The password as an argon2id hash in PHC string form ($argon2id$v=19$m=…,t=…,p=…$salt$hash).',
      }),
    ),
    disabled: Type.Boolean({
      default: false,
      description: 'A disabled user cannot sign in; the record and its id are kept.',
    }),
  },
  { additionalProperties: false },
);

export const AccountsSchema = Type.Object(
  {
    password_min_length: Type.Integer({
      minimum: 8,
      maximum: 128,
      default: 12,
      description: 'Shortest password accepted for a new or changed password (the longest is 1024).',
    }),
    login_throttle: Type.Object(
      {
        account_failures: Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 5,
          description: 'Failed sign-ins to one username before each further attempt has to wait.',
        }),
        address_failures: Type.Integer({
          minimum: 1,
          maximum: 10_000,
          default: 20,
          description:
            'Failed sign-ins from one IP address (IPv6: one /64) before each further attempt has to wait.',
        }),
        base_delay: Seconds('Seconds of the first wait; each further failure doubles it.', 1, 3600),
        max_delay: Seconds('The longest wait, in seconds.', 900, 86_400),
        forget_after: Seconds(
          'Seconds after the last failure at which a count starts again from zero; at least max_delay.',
          3600,
          604_800,
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const SessionsSchema = Type.Object(
  {
    idle_timeout: Seconds(
      'Seconds a sign-in session lasts without use; each use moves the end (to within a minute).',
      1800,
      2_592_000,
    ),
    absolute_timeout: Seconds(
      'Seconds a sign-in session lasts however much it is used; at least idle_timeout.',
      43_200,
      31_536_000,
    ),
    max_per_user: Type.Integer({
      minimum: 0,
      maximum: 1000,
      default: 0,
      description:
        'Live sessions one user may have at once (0 = unlimited); a new sign-in beyond it ends the oldest.',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const DeviceSchema = Type.Object(
  {
    code_lifetime: Seconds(
      'Seconds a device authorization (its device_code and user_code) stays usable: expires_in (RFC 8628 §3.2).',
      600,
      1800,
    ),
    interval: Type.Integer({
      minimum: 1,
      maximum: 60,
      default: 5,
      description: 'Seconds a device waits between polls of the token endpoint (RFC 8628 §3.2 interval).',
    }),
    verification_throttle: Type.Object(
      {
        address_failures: Type.Integer({
          minimum: 1,
          maximum: 1000,
          default: 10,
          description:
            'Unknown user codes entered from one IP address (IPv6: one /64) before each further attempt has to wait.',
        }),
        total_failures: Type.Integer({
          minimum: 1,
          maximum: 1_000_000,
          default: 1000,
          description: 'Unknown user codes entered from anywhere before each further attempt has to wait.',
        }),
        base_delay: Seconds('Seconds of the first wait; each further unknown code doubles it.', 60, 3600),
        max_delay: Seconds('The longest wait, in seconds.', 900, 86_400),
        forget_after: Seconds(
          'Seconds after the last unknown code at which a count starts again from zero; at least max_delay.',
          3600,
          604_800,
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

/** RFC 9449 (DPoP) at the token endpoint, the PAR endpoint and the UserInfo Endpoint. */
export const DpopSchema = Type.Object(
  {
    proof_max_age: Seconds(
      'Seconds a DPoP proof is accepted after its `iat` (RFC 9449 §11.1); its `jti` is remembered as long.',
      60,
      600,
    ),
    clock_skew: Type.Integer({
      minimum: 0,
      maximum: 60,
      default: 5,
      description: 'Seconds a DPoP proof’s `iat` may lie in the future, for client clocks running ahead.',
    }),
    require_nonce: Type.Boolean({
      default: false,
      description:
        'Require a server-provided nonce in every DPoP proof (RFC 9449 §8, §9); clients get one with ' +
        '`use_dpop_nonce` and a `DPoP-Nonce` header.',
    }),
    nonce_lifetime: Seconds(
      'Seconds per DPoP nonce: a nonce is accepted until the end of the period after the one it was issued in.',
      300,
      3600,
    ),
  },
  { additionalProperties: false, default: {} },
);

export const TlsSchema = Type.Object(
  {
    cert_file: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'PEM certificate (chain) of the HTTPS listener that requests client certificates; with key_file, ' +
          'Gatehouse runs that listener itself.',
      }),
    ),
    key_file: Type.Optional(
      Type.String({ minLength: 1, description: 'PEM private key of cert_file (keep it mode 0600).' }),
    ),
    host: Type.Optional(
      Type.String({ minLength: 1, description: 'Address of the HTTPS listener (defaults to listen.host).' }),
    ),
    port: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 8443,
      description: 'TCP port of the HTTPS listener (0 = any free port, then set mtls_base_url).',
    }),
    client_ca_file: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'PEM bundle of the CA certificates that issue client certificates for tls_client_auth; each one is ' +
          'a trust anchor.',
      }),
    ),
    mtls_base_url: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description:
          'https URL under which clients reach the mutual-TLS endpoints, advertised as mtls_endpoint_aliases ' +
          '(RFC 8705 §5). Defaults to https://<issuer host>:<port><issuer path> when Gatehouse runs the listener.',
      }),
    ),
    client_cert_header: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9-]+$',
        maxLength: 100,
        description:
          'Behind a TLS-terminating proxy: the request header (lower case) in which it forwards the client ' +
          'certificate as URL-encoded PEM. Honoured only from trusted_proxies.',
      }),
    ),
    trusted_proxies: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      default: [],
      description: 'Addresses or CIDR ranges of the proxies whose client_cert_header is believed.',
    }),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    issuer: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description:
          'Issuer identifier: an https URL (http only for localhost). Defaults to http://localhost:<port>.',
      }),
    ),
    listen: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', description: 'Address to listen on.' }),
        port: Type.Integer({
          minimum: 0,
          maximum: 65535,
          default: 8080,
          description: 'TCP port (0 = any free port).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    management: Type.Optional(
      Type.Object(
        {
          host: Type.String({ default: '127.0.0.1', description: 'Address of the management listener.' }),
          port: Type.Integer({
            minimum: 0,
            maximum: 65535,
            description: 'TCP port of the management listener (0 = any free port).',
          }),
        },
        {
          additionalProperties: false,
          description:
            'A second HTTP listener for /healthz, /readyz and /metrics, which then leave the public one.',
        },
      ),
    ),
    data_dir: Type.String({
      minLength: 1,
      default: './data',
      description: 'Directory for the embedded SQLite database and the generated master key.',
    }),
    database_url: Type.Optional(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: 'PostgreSQL connection URL; when set, PostgreSQL is used instead of embedded SQLite.',
      }),
    ),
    log_level: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
      { default: 'info' },
    ),
    request_logging: Type.Boolean({ default: true, description: 'Log one line per HTTP request.' }),
    tokens: Type.Object(
      {
        access_token_lifetime: Seconds('Default access-token lifetime in seconds.', 300, 86_400),
        id_token_lifetime: Seconds('Lifetime of ID tokens in seconds.', 300, 86_400),
        refresh_token_idle_lifetime: Seconds(
          'Seconds a refresh token stays usable without being used; each use (rotation) starts it again.',
          1_209_600,
        ),
        refresh_token_absolute_lifetime: Seconds(
          'Seconds a chain of rotated refresh tokens lasts from the grant, however much it is used.',
          2_592_000,
        ),
        signing_alg: Type.Union([Type.Literal('ES256'), Type.Literal('RS256'), Type.Literal('EdDSA')], {
          default: 'ES256',
          description: 'JWS algorithm for new signing keys.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    keys: Type.Object(
      {
        publish_before_use: Seconds(
          'Seconds a rotated-in key is published in the JWKS before it signs anything.',
          3600,
          604_800,
        ),
        reload_interval: Seconds('Seconds between reloads of the key ring from the store.', 60, 3600),
      },
      { additionalProperties: false, default: {} },
    ),
    limits: Type.Object(
      {
        body_bytes: Type.Integer({
          minimum: 1024,
          maximum: 1_048_576,
          default: 16_384,
          description: 'Largest request body accepted, in bytes.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    cache: Type.Object(
      {
        client_seconds: Type.Integer({
          minimum: 0,
          maximum: 300,
          default: 5,
          description:
            'Seconds a node may reuse a client record it read from the database (0 = read on every request). ' +
            'A removed client or changed secret takes effect on every node within this time.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    resources: Type.Array(ResourceSchema, { default: [] }),
    clients: Type.Array(ClientSchema, { default: [] }),
    accounts: AccountsSchema,
    sessions: SessionsSchema,
    device: DeviceSchema,
    dpop: DpopSchema,
    // No default: without a tls section there is no mutual TLS at all.
    tls: Type.Optional(TlsSchema),
    users: Type.Array(UserSchema, {
      default: [],
      description: 'Users created or updated at every start, for development and tests.',
    }),
  },
  { additionalProperties: false },
);

export type GatehouseConfig = Static<typeof ConfigSchema> & { issuer: string };
export type ResourceConfig = Static<typeof ResourceSchema>;
export type ClientConfig = Static<typeof ClientSchema>;
export type UserConfig = Static<typeof UserSchema>;
export type AccountsConfig = Static<typeof AccountsSchema>;
export type SessionsConfig = Static<typeof SessionsSchema>;
export type DeviceConfig = Static<typeof DeviceSchema>;
export type TlsConfig = Static<typeof TlsSchema>;
export type DpopConfig = Static<typeof DpopSchema>;
export type SigningAlg = Static<typeof SigningAlgSchema>;
