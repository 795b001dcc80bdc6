/**
 * An issuer identifier with a path (`http://127.0.0.1:<port>/tenants/acme`), as when one host
 * serves several issuers behind a proxy. RFC 8414 §3.1 puts its metadata at
 * `/.well-known/oauth-authorization-server/tenants/acme`, OpenID Connect Discovery §4.1 at
 * `/tenants/acme/.well-known/openid-configuration`, and every endpoint lives under the path.
 * oauth4webapi and openid-client find it both ways and use it end to end, sign-in included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { APP_SECRET, csrfTokenOf, PASSWORD, REDIRECT } from '../../src/testing/browser-flow.js';
import { FormBrowser, redirectLocation } from '../../src/testing/form-browser.js';
import { testConfigDocument } from '../../src/testing/harness.js';
import { type ListeningIssuer, startListeningIssuer } from '../../src/testing/listening-issuer.js';

const PATH = '/tenants/acme';
const OPAQUE_API = 'https://ledger.interop.test';

const config = testConfigDocument({
  resources: [{ id: OPAQUE_API, scopes: ['ledger:read'], token_format: 'opaque' }],
  clients: [
    {
      client_id: 'web-app',
      client_secret: APP_SECRET,
      grant_types: ['authorization_code', 'client_credentials'],
      redirect_uris: [REDIRECT],
      scope: 'openid profile ledger:read',
    },
  ],
  users: [{ username: 'alice', password: PASSWORD }],
});

describe('interop: an issuer with a path', () => {
  let server: ListeningIssuer;
  let origin: string;
  let rp: client.Configuration;
  before(async () => {
    server = await startListeningIssuer(config, { path: PATH });
    origin = new URL(server.url).origin;
    rp = await client.discovery(
      new URL(server.url),
      'web-app',
      undefined,
      client.ClientSecretBasic(APP_SECRET),
      {
        execute: [client.allowInsecureRequests],
      },
    );
  });
  after(async () => {
    await server?.close();
  });

  it('publishes RFC 8414 metadata at the path-inserted well-known URI (oauth4webapi)', async () => {
    const issuer = new URL(server.url);
    const response = await oauth.discoveryRequest(issuer, {
      algorithm: 'oauth2',
      [oauth.allowInsecureRequests]: true,
    });
    assert.equal(response.url, `${origin}/.well-known/oauth-authorization-server${PATH}`);
    // processDiscoveryResponse requires `issuer` to be exactly the identifier asked for.
    const metadata = await oauth.processDiscoveryResponse(issuer, response);
    assert.equal(metadata.issuer, server.url);
  });

  it('publishes OpenID Connect metadata under the issuer, every endpoint under it too', () => {
    const metadata = rp.serverMetadata();
    assert.equal(metadata.issuer, server.url);
    for (const name of [
      'authorization_endpoint',
      'token_endpoint',
      'jwks_uri',
      'introspection_endpoint',
      'revocation_endpoint',
      'userinfo_endpoint',
      'end_session_endpoint',
      'device_authorization_endpoint',
      'pushed_authorization_request_endpoint',
    ] as const) {
      assert.ok(String(metadata[name]).startsWith(`${server.url}/`), `${name}: ${metadata[name]}`);
    }
  });

  it('issues, introspects and revokes a token at the endpoints it advertised', async () => {
    const tokens = await client.clientCredentialsGrant(rp, { scope: 'ledger:read', resource: OPAQUE_API });
    assert.equal((await client.tokenIntrospection(rp, tokens.access_token)).active, true);
    await client.tokenRevocation(rp, tokens.access_token);
    assert.equal((await client.tokenIntrospection(rp, tokens.access_token)).active, false);
  });

  it('signs a person in through its pages and issues an ID token with the path in iss', async () => {
    const browser = new FormBrowser(origin);
    const pkceCodeVerifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const start = client.buildAuthorizationUrl(rp, {
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
      nonce,
    });
    let next = redirectLocation(await browser.get(start), origin);
    for (let hop = 0; hop < 6 && !next.href.startsWith(REDIRECT); hop++) {
      if (next.pathname === `${PATH}/login`) {
        const html = await (await browser.get(next)).text();
        assert.match(html, new RegExp(`action="${server.url}/login"`));
        next = redirectLocation(
          await browser.post(`${server.url}/login`, {
            csrf_token: csrfTokenOf(html),
            interaction_id: next.searchParams.get('interaction')!,
            username: 'alice',
            password: PASSWORD,
          }),
          origin,
        );
      } else if (next.pathname === `${PATH}/consent`) {
        const html = await (await browser.get(next)).text();
        next = redirectLocation(
          await browser.post(`${server.url}/consent`, {
            csrf_token: csrfTokenOf(html),
            interaction_id: next.searchParams.get('interaction')!,
            scope: 'profile',
            decision: 'approve',
          }),
          origin,
        );
      } else {
        assert.ok(next.pathname.startsWith(`${PATH}/`), `stays under the issuer: ${next.href}`);
        next = redirectLocation(await browser.get(next), origin);
      }
    }
    assert.equal(next.searchParams.get('iss'), server.url, 'RFC 9207');
    const tokens = await client.authorizationCodeGrant(rp, next, {
      pkceCodeVerifier,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert.equal(tokens.claims()?.iss, server.url);
  });

  it('answers nothing at the root but the probes', async () => {
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
      '/token',
    ]) {
      assert.equal((await fetch(`${origin}${path}`)).status, 404, path);
    }
    assert.equal((await fetch(`${origin}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/token`)).status, 405, 'POST only, under the issuer');
  });
});
