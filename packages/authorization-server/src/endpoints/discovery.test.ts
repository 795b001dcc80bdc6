import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeBackends } from '@gatehouse/store/testing';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { startTestIssuer, TEST_ISSUER, type TestIssuer } from '../testing/harness.js';

const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

// RFC 7517 §9.3 and RFC 7518 §6: members that hold private or symmetric key material.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('GET /.well-known/* (RFC 8414, OpenID Connect Discovery)', () => {
  let t: TestIssuer;
  before(async () => {
    t = await startTestIssuer(await sqlite.open());
  });
  after(() => t.close());

  const get = (url: string) => t.issuer.app.inject({ method: 'GET', url });

  it('serves identical metadata at both well-known locations', async () => {
    const oauth = await get('/.well-known/oauth-authorization-server');
    const oidc = await get('/.well-known/openid-configuration');
    assert.equal(oauth.statusCode, 200);
    assert.equal(oidc.statusCode, 200);
    assert.equal(oauth.body, oidc.body);
    assert.equal(oauth.json().issuer, TEST_ISSUER);
  });

  it('lets the metadata be cached briefly, as JSON', async () => {
    for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const res = await get(url);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.headers['cache-control'], 'public, max-age=300');
      assert.equal(res.headers['pragma'], undefined);
    }
  });

  it('advertises exactly the endpoints it serves, as absolute URLs under the issuer', async () => {
    const metadata = (await get('/.well-known/openid-configuration')).json();
    const advertised = Object.keys(metadata)
      .filter((k) => k.endsWith('_endpoint') || k.endsWith('_uri'))
      .sort();
    assert.deepEqual(advertised, [
      'authorization_endpoint',
      'device_authorization_endpoint',
      'end_session_endpoint',
      'introspection_endpoint',
      'jwks_uri',
      'pushed_authorization_request_endpoint',
      'revocation_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
    ]);
    assert.equal(metadata.token_endpoint, `${TEST_ISSUER}/token`);
    assert.equal(metadata.introspection_endpoint, `${TEST_ISSUER}/introspect`);
    assert.equal(metadata.revocation_endpoint, `${TEST_ISSUER}/revoke`);
    assert.equal(metadata.jwks_uri, `${TEST_ISSUER}/jwks`);
    assert.equal(metadata.authorization_endpoint, `${TEST_ISSUER}/authorize`);
    assert.equal(metadata.userinfo_endpoint, `${TEST_ISSUER}/userinfo`);
    assert.equal(metadata.pushed_authorization_request_endpoint, `${TEST_ISSUER}/par`);
    assert.equal(metadata.device_authorization_endpoint, `${TEST_ISSUER}/device_authorization`);
    assert.equal(metadata.end_session_endpoint, `${TEST_ISSUER}/logout`);
  });

  it('answers at every advertised endpoint', async () => {
    const metadata = (await get('/.well-known/openid-configuration')).json();
    const path = (url: string) => url.slice(TEST_ISSUER.length);
    assert.equal((await get(path(metadata.jwks_uri))).statusCode, 200);
    // Without a session, a logout request completes at once with the signed-out page.
    assert.equal((await get(path(metadata.end_session_endpoint))).statusCode, 200);
    for (const key of [
      'token_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'pushed_authorization_request_endpoint',
      'device_authorization_endpoint',
    ]) {
      // No client authentication, so 401 (or 400 for a missing grant_type): the route exists.
      const res = await t.post(path(metadata[key]), {});
      assert.ok([400, 401].includes(res.statusCode), `${key} answered ${res.statusCode}`);
      assert.notEqual(res.json().error, 'not_found');
    }
  });

  it('lists the grant types the token endpoint serves', async () => {
    const metadata = (await get('/.well-known/oauth-authorization-server')).json();
    assert.deepEqual(metadata.grant_types_supported, [
      'client_credentials',
      'authorization_code',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:device_code',
    ]);
  });

  it('describes the authorization endpoint: code with PKCE S256, iss in responses, optional PAR', async () => {
    const metadata = (await get('/.well-known/oauth-authorization-server')).json();
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    assert.equal(metadata.require_pushed_authorization_requests, false);
  });

  it('lists the OpenID Connect scopes, then the scopes of every resource once, sorted', async () => {
    const metadata = (await get('/.well-known/oauth-authorization-server')).json();
    assert.deepEqual(metadata.scopes_supported, [
      'openid',
      'offline_access',
      'profile',
      'email',
      'roles',
      'ledger:read',
      'orders:read',
      'orders:write',
    ]);
  });

  it('lists RS256 and the access-token alg for ID tokens, each with a signing key (OIDC Discovery §3)', async () => {
    const metadata = (await get('/.well-known/openid-configuration')).json();
    assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['ES256', 'RS256']);
    for (const alg of metadata.id_token_signing_alg_values_supported) {
      assert.equal(t.issuer.context.keys.hasSigningKey(alg), true, alg);
    }
    const jwks = (await get('/jwks')).json() as { keys: JWK[] };
    assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
  });

  it('has the OpenID Provider metadata Discovery §3 requires, and only what is true', async () => {
    const metadata = (await get('/.well-known/openid-configuration')).json();
    assert.deepEqual(metadata.subject_types_supported, ['public']);
    assert.deepEqual(metadata.prompt_values_supported, ['none', 'login', 'consent', 'select_account']);
    assert.deepEqual(metadata.ui_locales_supported, ['en']);
    assert.equal(metadata.claims_parameter_supported, false);
    assert.equal(metadata.request_parameter_supported, false);
    assert.equal(metadata.request_uri_parameter_supported, false);
    // UserInfo answers plain JSON only, so no signing algs are listed.
    assert.equal('userinfo_signing_alg_values_supported' in metadata, false);
    assert.deepEqual(metadata.claims_supported, [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'acr',
      'amr',
      'sid',
      'name',
      'preferred_username',
      'updated_at',
      'email',
      'email_verified',
      'roles',
      'groups',
    ]);
  });

  it('supports RP-initiated logout and back-channel logout with sid', async () => {
    const metadata = (await get('/.well-known/openid-configuration')).json();
    assert.equal(metadata.backchannel_logout_supported, true);
    assert.equal(metadata.backchannel_logout_session_supported, true);
    // Front-channel logout is not offered, so not advertised (its metadata defaults to false).
    assert.equal('frontchannel_logout_supported' in metadata, false);
  });

  it('lists public clients (none) at the token and revocation endpoints, never at introspection', async () => {
    const metadata = (await get('/.well-known/oauth-authorization-server')).json();
    const confidential = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, [...confidential, 'none']);
    assert.deepEqual(metadata.introspection_endpoint_auth_methods_supported, confidential);
    assert.deepEqual(metadata.revocation_endpoint_auth_methods_supported, [...confidential, 'none']);
  });

  it('lists only asymmetric assertion algorithms, never none or HMAC', async () => {
    const metadata = (await get('/.well-known/oauth-authorization-server')).json();
    for (const key of [
      'token_endpoint_auth_signing_alg_values_supported',
      'introspection_endpoint_auth_signing_alg_values_supported',
      'revocation_endpoint_auth_signing_alg_values_supported',
    ]) {
      const algs: string[] = metadata[key];
      assert.ok(algs.length > 0, key);
      for (const alg of algs) assert.match(alg, /^(ES|PS|RS)\d{3}$|^EdDSA$/, `${key}: ${alg}`);
    }
  });

  it('lists the asymmetric algorithms it accepts in DPoP proofs (RFC 9449 §5.1)', async () => {
    const metadata = (await get('/.well-known/oauth-authorization-server')).json();
    const algs: string[] = metadata.dpop_signing_alg_values_supported;
    assert.ok(algs.includes('ES256') && algs.includes('EdDSA'));
    for (const alg of algs) assert.match(alg, /^(ES|PS|RS)\d{3}$|^EdDSA$|^Ed25519$/, alg);
  });
});

describe('GET /jwks', () => {
  for (const alg of ['ES256', 'RS256', 'EdDSA']) {
    describe(`with tokens.signing_alg ${alg}`, () => {
      let t: TestIssuer;
      before(async () => {
        t = await startTestIssuer(await sqlite.open(), { tokens: { signing_alg: alg } });
      });
      after(() => t.close());

      it('publishes the public signing key with kid, alg and use, and nothing private', async () => {
        const res = await t.issuer.app.inject({ method: 'GET', url: '/jwks' });
        assert.equal(res.statusCode, 200);
        const { keys } = res.json() as { keys: JWK[] };
        // One key of tokens.signing_alg and one RS256 key for ID tokens (the same one for RS256).
        assert.deepEqual(keys.map((k) => k.alg).sort(), [...new Set([alg, 'RS256'])].sort());
        for (const key of keys) {
          assert.equal(typeof key.kid, 'string');
          assert.equal(key.use, 'sig');
          for (const member of PRIVATE_MEMBERS) {
            assert.equal(member in key, false, `the JWKS carries private member '${member}'`);
          }
        }
      });

      it('uses the RFC 7638 thumbprint of the key as its kid', async () => {
        const { keys } = (await t.issuer.app.inject({ method: 'GET', url: '/jwks' })).json() as {
          keys: JWK[];
        };
        for (const key of keys) assert.equal(key.kid, await calculateJwkThumbprint(key));
      });

      it('is served as application/jwk-set+json that may be cached briefly', async () => {
        const res = await t.issuer.app.inject({ method: 'GET', url: '/jwks' });
        assert.match(String(res.headers['content-type']), /^application\/jwk-set\+json/);
        assert.equal(res.headers['cache-control'], 'public, max-age=300');
      });
    });
  }
});

describe('discovery with mutual TLS (RFC 8705)', () => {
  const metadataOf = async (tls: Record<string, unknown>) => {
    const t = await startTestIssuer(await sqlite.open(), { tls });
    try {
      return (await t.issuer.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
    } finally {
      await t.close();
    }
  };

  it('advertises the two methods, bound tokens and an alias for every endpoint that takes a certificate', async () => {
    const metadata = await metadataOf({
      client_cert_header: 'x-client-cert',
      trusted_proxies: ['10.0.0.0/8'],
      mtls_base_url: 'https://mtls.issuer.test',
    });
    const methods = [
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth',
    ];
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, [...methods, 'none']);
    assert.deepEqual(metadata.introspection_endpoint_auth_methods_supported, methods);
    assert.deepEqual(metadata.revocation_endpoint_auth_methods_supported, [...methods, 'none']);
    assert.equal(metadata.tls_client_certificate_bound_access_tokens, true);
    assert.deepEqual(metadata.mtls_endpoint_aliases, {
      token_endpoint: 'https://mtls.issuer.test/token',
      revocation_endpoint: 'https://mtls.issuer.test/revoke',
      introspection_endpoint: 'https://mtls.issuer.test/introspect',
      userinfo_endpoint: 'https://mtls.issuer.test/userinfo',
      pushed_authorization_request_endpoint: 'https://mtls.issuer.test/par',
      device_authorization_endpoint: 'https://mtls.issuer.test/device_authorization',
    });
    // RFC 8705 §5: the aliases add to the metadata; the plain endpoints stay as they are.
    assert.equal(metadata.token_endpoint, `${TEST_ISSUER}/token`);
  });

  it('needs no aliases when the proxy serves mutual TLS on the issuer’s own host', async () => {
    const metadata = await metadataOf({
      client_cert_header: 'x-client-cert',
      trusted_proxies: ['10.0.0.0/8'],
    });
    assert.equal(metadata.tls_client_certificate_bound_access_tokens, true);
    assert.equal('mtls_endpoint_aliases' in metadata, false);
  });

  it('says nothing of mutual TLS without a tls section', async () => {
    const t = await startTestIssuer(await sqlite.open());
    try {
      const metadata = (
        await t.issuer.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
      ).json();
      assert.equal('mtls_endpoint_aliases' in metadata, false);
      assert.equal('tls_client_certificate_bound_access_tokens' in metadata, false);
      assert.equal(metadata.token_endpoint_auth_methods_supported.includes('tls_client_auth'), false);
    } finally {
      await t.close();
    }
  });
});
