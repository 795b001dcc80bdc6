// The peer: panva's oidc-provider, configured as close to the Gatehouse bench config as it allows.
// Runs as its own child process (pinned by run.mjs); prints one JSON line {"ready":true,...} once listening.
//
// Input: a JSON object in argv[2] with { port, host, clients: { client: {id, secret}, rs: {id, secret} },
// resources: { jwt, opaque }, scopes: [...], accessTokenTTL }.

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

const options = JSON.parse(process.argv[2] ?? '{}');
const { host = '127.0.0.1', port, clients, resources, scopes, accessTokenTTL = 3600 } = options;
const issuer = `http://${host}:${port}`;

// One ES256 signing key, generated fresh for this run (mirrors Gatehouse's generated key ring).
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };

const scope = scopes.join(' ');
const resourceServers = new Map([
  [
    resources.jwt,
    {
      scope,
      audience: resources.jwt,
      accessTokenTTL,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'ES256' } },
    },
  ],
  [resources.opaque, { scope, audience: resources.opaque, accessTokenTTL, accessTokenFormat: 'opaque' }],
]);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clients.client.id,
      client_secret: clients.client.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope,
    },
    {
      client_id: clients.rs.id,
      client_secret: clients.rs.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  // Only an ES256 key is configured, so ID-token defaults must not ask for RS256 (no ID tokens are issued here).
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [jwk] },
  scopes,
  ttl: { ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTTL },
  cookies: { keys: [randomUUID()] },
  // Answers the same CORS question Gatehouse does for these endpoints (none) and silences the notice.
  clientBasedCORS: () => false,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // Same policy as the Gatehouse config: the token's own client or the resource server's client.
      allowedPolicy: (_ctx, client, token) =>
        client.clientId === clients.rs.id || client.clientId === token.clientId,
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: () => false,
      getResourceServerInfo: (_ctx, resourceIndicator) => {
        const info = resourceServers.get(resourceIndicator);
        if (!info) throw new errors.InvalidTarget();
        return info;
      },
    },
  },
});

let serverErrors = 0;
provider.on('server_error', (_ctx, err) => {
  serverErrors++;
  if (serverErrors <= 5) process.stderr.write(`peer server_error: ${err?.stack ?? err}\n`);
});

const server = createServer(provider.callback());
server.listen(port, host, () => {
  process.stdout.write(`${JSON.stringify({ ready: true, issuer })}\n`);
});

const shutdown = () => {
  if (serverErrors > 0) process.stderr.write(`peer: ${serverErrors} server errors\n`);
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
