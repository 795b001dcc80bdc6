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
    grant_types: Type.Array(Type.Literal('client_credentials'), {
      minItems: 1,
      default: ['client_credentials'],
      description: 'Grant types the client may use.',
    }),
    redirect_uris: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { default: [] }),
    token_endpoint_auth_method: Type.Union(
      [
        Type.Literal('client_secret_basic'),
        Type.Literal('client_secret_post'),
        Type.Literal('private_key_jwt'),
        Type.Literal('none'),
      ],
      { default: 'client_secret_basic' },
    ),
    token_endpoint_auth_signing_alg: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    scope: Type.Optional(
      Type.String({ maxLength: 4096, description: 'Space-separated scopes the client may be granted.' }),
    ),
    jwks: Type.Optional(Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) })),
    jwks_uri: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
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
  },
  { additionalProperties: false },
);

export type GatehouseConfig = Static<typeof ConfigSchema> & { issuer: string };
export type ResourceConfig = Static<typeof ResourceSchema>;
export type ClientConfig = Static<typeof ClientSchema>;
export type SigningAlg = Static<typeof SigningAlgSchema>;
