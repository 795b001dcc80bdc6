/**
 * Interoperability with real third-party clients: openid-client v6 and oauth4webapi v3 talk to
 * a Gatehouse issuer listening on a real socket, on each supported database. Only what these
 * libraries do on their own counts: discovery, token, introspection and revocation requests,
 * and RFC 9068 validation of the JWT access token as a resource server would do it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '@gatehouse/store';
import { storeBackends } from '@gatehouse/store/testing';
import { type CryptoKey, exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { type ListeningIssuer, startListeningIssuer } from '../../src/testing/listening-issuer.js';

const SERVICE_SECRET = 'interop-service-secret-0123456789abcdef';
const RS_SECRET = 'interop-resource-server-secret-0123456789';
const JWT_API = 'https://api.interop.test';
const OPAQUE_API = 'https://ledger.interop.test';

interface RunningIssuer extends ListeningIssuer {
  signerKey: CryptoKey;
}

/** The issuer these tests talk to, with a `private_key_jwt` client whose private key they hold. */
async function startInteropIssuer(store: Store): Promise<RunningIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const server = await startListeningIssuer(
    {
      resources: [
        { id: JWT_API, scopes: ['orders:read', 'orders:write'], token_format: 'jwt' },
        {
          id: OPAQUE_API,
          scopes: ['ledger:read'],
          token_format: 'opaque',
          introspection_clients: ['resource-server'],
        },
      ],
      clients: [
        {
          client_id: 'service',
          client_secret: SERVICE_SECRET,
          scope: 'orders:read orders:write ledger:read',
        },
        {
          client_id: 'poster',
          client_secret: SERVICE_SECRET,
          token_endpoint_auth_method: 'client_secret_post',
          scope: 'ledger:read',
        },
        { client_id: 'resource-server', client_secret: RS_SECRET, scope: '' },
        {
          client_id: 'signer',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'signer-1', alg: 'ES256', use: 'sig' }] },
          scope: 'orders:read ledger:read',
        },
      ],
    },
    { store },
  );
  return { ...server, signerKey: privateKey };
}

for (const backend of storeBackends()) {
  describe(`interop: client_credentials (${backend.name})`, { skip: backend.skipReason }, () => {
    let server: RunningIssuer;
    before(async () => {
      server = await startInteropIssuer(await backend.open());
    });
    after(async () => {
      await server?.close();
    });

    describe('openid-client', () => {
      const configure = (clientId: string, auth: client.ClientAuth) =>
        client.discovery(new URL(server.url), clientId, undefined, auth, {
          execute: [client.allowInsecureRequests],
        });
      const service = () => configure('service', client.ClientSecretBasic(SERVICE_SECRET));

      it('discovers the issuer and its endpoints', async () => {
        const metadata = (await service()).serverMetadata();
        assert.equal(metadata.issuer, server.url);
        assert.equal(metadata.token_endpoint, `${server.url}/token`);
        assert.equal(metadata.introspection_endpoint, `${server.url}/introspect`);
        assert.equal(metadata.revocation_endpoint, `${server.url}/revoke`);
        assert.equal(metadata.jwks_uri, `${server.url}/jwks`);
      });

      it('gets a JWT access token that a resource server validates as RFC 9068', async () => {
        const config = await service();
        const tokens = await client.clientCredentialsGrant(config, {
          resource: JWT_API,
          scope: 'orders:read',
        });
        assert.equal(tokens.token_type, 'bearer');
        assert.equal(tokens.scope, 'orders:read');
        assert.equal(tokens.expires_in, 300);
        const request = new Request(`${JWT_API}/orders`, {
          headers: { authorization: `Bearer ${tokens.access_token}` },
        });
        const claims = await oauth.validateJwtAccessToken(config.serverMetadata(), request, JWT_API, {
          [oauth.allowInsecureRequests]: true,
        });
        assert.equal(claims.iss, server.url);
        assert.equal(claims.aud, JWT_API);
        assert.equal(claims.sub, 'service');
        assert.equal(claims.client_id, 'service');
        assert.equal(claims.scope, 'orders:read');
      });

      it('introspects and revokes an opaque token', async () => {
        const config = await service();
        const { access_token } = await client.clientCredentialsGrant(config, { scope: 'ledger:read' });
        const active = await client.tokenIntrospection(config, access_token);
        assert.equal(active.active, true);
        assert.equal(active.client_id, 'service');
        assert.equal(active.scope, 'ledger:read');
        assert.equal(active.aud, OPAQUE_API);
        assert.equal(active.iss, server.url);
        assert.equal(active.token_type, 'Bearer');

        await client.tokenRevocation(config, access_token);
        assert.deepEqual({ ...(await client.tokenIntrospection(config, access_token)) }, { active: false });
      });

      it('introspects and revokes a JWT access token', async () => {
        const config = await service();
        const { access_token } = await client.clientCredentialsGrant(config, { resource: JWT_API });
        const active = await client.tokenIntrospection(config, access_token, {
          token_type_hint: 'access_token',
        });
        assert.equal(active.active, true);
        assert.equal(active.scope, 'orders:read orders:write');
        await client.tokenRevocation(config, access_token, { token_type_hint: 'access_token' });
        assert.equal((await client.tokenIntrospection(config, access_token)).active, false);
      });

      it('lets a resource server listed in introspection_clients introspect', async () => {
        const { access_token } = await client.clientCredentialsGrant(await service(), {
          scope: 'ledger:read',
        });
        const resourceServer = await configure('resource-server', client.ClientSecretBasic(RS_SECRET));
        const answer = await client.tokenIntrospection(resourceServer, access_token);
        assert.equal(answer.active, true);
        assert.equal(answer.client_id, 'service');
      });

      it('authenticates with client_secret_post', async () => {
        const config = await configure('poster', client.ClientSecretPost(SERVICE_SECRET));
        const { access_token } = await client.clientCredentialsGrant(config, { scope: 'ledger:read' });
        assert.equal((await client.tokenIntrospection(config, access_token)).active, true);
        await client.tokenRevocation(config, access_token);
        assert.equal((await client.tokenIntrospection(config, access_token)).active, false);
      });

      it('authenticates with private_key_jwt at the token, introspection and revocation endpoints', async () => {
        const config = await configure(
          'signer',
          client.PrivateKeyJwt({ key: server.signerKey, kid: 'signer-1' }),
        );
        const jwt = await client.clientCredentialsGrant(config, { resource: JWT_API });
        assert.equal(jwt.scope, 'orders:read');
        const { access_token } = await client.clientCredentialsGrant(config, { scope: 'ledger:read' });
        const active = await client.tokenIntrospection(config, access_token);
        assert.equal(active.active, true);
        assert.equal(active.client_id, 'signer');
        await client.tokenRevocation(config, access_token);
        assert.equal((await client.tokenIntrospection(config, access_token)).active, false);
      });

      it('surfaces a wrong secret as invalid_client', async () => {
        const config = await configure('poster', client.ClientSecretPost('not-the-secret-0123456789abcdef'));
        await assert.rejects(client.clientCredentialsGrant(config, { scope: 'ledger:read' }), {
          name: 'ResponseBodyError',
          error: 'invalid_client',
          error_description: 'client authentication failed',
          status: 401,
        });
      });

      it('surfaces a wrong Basic secret as the Basic challenge of RFC 6749 §5.2', async () => {
        const config = await configure(
          'service',
          client.ClientSecretBasic('not-the-secret-0123456789abcdef'),
        );
        await assert.rejects(client.clientCredentialsGrant(config, { resource: JWT_API }), {
          name: 'WWWAuthenticateChallengeError',
          status: 401,
          cause: [{ scheme: 'basic', parameters: { realm: 'gatehouse', charset: 'UTF-8' } }],
        });
      });

      it('surfaces a refused scope as invalid_scope', async () => {
        await assert.rejects(client.clientCredentialsGrant(await service(), { scope: 'orders:delete' }), {
          name: 'ResponseBodyError',
          error: 'invalid_scope',
          status: 400,
        });
      });
    });

    describe('oauth4webapi', () => {
      const insecure = { [oauth.allowInsecureRequests]: true } as const;
      const service: oauth.Client = { client_id: 'service' };
      const serviceAuth = oauth.ClientSecretBasic(SERVICE_SECRET);
      let as: oauth.AuthorizationServer;

      before(async () => {
        const issuer = new URL(server.url);
        // RFC 8414 location; openid-client above uses the OpenID Connect one.
        const response = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure });
        as = await oauth.processDiscoveryResponse(issuer, response);
      });

      const token = async (parameters: Record<string, string>) =>
        oauth.processClientCredentialsResponse(
          as,
          service,
          await oauth.clientCredentialsGrantRequest(as, service, serviceAuth, parameters, insecure),
        );
      const introspect = async (accessToken: string) =>
        oauth.processIntrospectionResponse(
          as,
          service,
          await oauth.introspectionRequest(as, service, serviceAuth, accessToken, insecure),
        );
      const revoke = async (accessToken: string) =>
        oauth.processRevocationResponse(
          await oauth.revocationRequest(as, service, serviceAuth, accessToken, insecure),
        );

      it('discovers the issuer at the RFC 8414 location', () => {
        assert.equal(as.issuer, server.url);
        assert.deepEqual(as.grant_types_supported, [
          'client_credentials',
          'authorization_code',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code',
        ]);
      });

      it('gets a JWT access token that validates as RFC 9068, then revokes it', async () => {
        const tokens = await token({ resource: JWT_API, scope: 'orders:write' });
        assert.equal(tokens.token_type, 'bearer');
        assert.equal(tokens.expires_in, 300);
        const request = new Request(`${JWT_API}/orders`, {
          headers: { authorization: `Bearer ${tokens.access_token}` },
        });
        const claims = await oauth.validateJwtAccessToken(as, request, JWT_API, insecure);
        assert.equal(claims.scope, 'orders:write');
        assert.equal(claims.client_id, 'service');

        assert.equal((await introspect(tokens.access_token)).active, true);
        assert.equal(await revoke(tokens.access_token), undefined);
        assert.equal((await introspect(tokens.access_token)).active, false);
      });

      it('refuses to validate a JWT access token for another audience', async () => {
        const { access_token } = await token({ resource: JWT_API });
        const request = new Request(`${JWT_API}/orders`, {
          headers: { authorization: `Bearer ${access_token}` },
        });
        await assert.rejects(oauth.validateJwtAccessToken(as, request, OPAQUE_API, insecure), {
          code: oauth.JWT_CLAIM_COMPARISON,
        });
      });

      it('gets, introspects and revokes an opaque token', async () => {
        const { access_token, expires_in, scope } = await token({ scope: 'ledger:read' });
        assert.equal(expires_in, 300);
        assert.equal(scope, 'ledger:read');
        const active = await introspect(access_token);
        assert.equal(active.active, true);
        assert.equal(active.sub, 'service');
        assert.equal(active.aud, OPAQUE_API);
        assert.equal(typeof active.exp, 'number');
        assert.equal(typeof active.iat, 'number');
        assert.equal(typeof active.jti, 'string');
        await revoke(access_token);
        assert.equal((await introspect(access_token)).active, false);
        // RFC 7009 §2.2: revoking it again is not an error.
        await revoke(access_token);
      });

      it('answers an unrelated client with active false', async () => {
        const { access_token } = await token({ resource: JWT_API });
        const poster: oauth.Client = { client_id: 'poster' };
        const response = await oauth.introspectionRequest(
          as,
          poster,
          oauth.ClientSecretPost(SERVICE_SECRET),
          access_token,
          insecure,
        );
        assert.deepEqual(
          { ...(await oauth.processIntrospectionResponse(as, poster, response)) },
          { active: false },
        );
      });

      it('surfaces a refused revocation of another client’s token as unauthorized_client', async () => {
        const { access_token } = await token({ scope: 'ledger:read' });
        const rs: oauth.Client = { client_id: 'resource-server' };
        const response = await oauth.revocationRequest(
          as,
          rs,
          oauth.ClientSecretBasic(RS_SECRET),
          access_token,
          insecure,
        );
        await assert.rejects(oauth.processRevocationResponse(response), {
          name: 'ResponseBodyError',
          error: 'unauthorized_client',
          status: 400,
        });
        assert.equal((await introspect(access_token)).active, true);
      });
    });
  });
}
