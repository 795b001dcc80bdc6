import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './config-error.js';
import { validateConfig } from './load.js';

/** The problems of a document that must not validate. */
function problemsOf(document: Record<string, unknown>): { key: string; message: string }[] {
  try {
    validateConfig(document);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

/** A public web app using the code flow; `fields` override. */
const app = (fields: Record<string, unknown> = {}) => ({
  client_id: 'app',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code'],
  redirect_uris: ['https://app.example/cb'],
  ...fields,
});
const nativeApp = (...redirectUris: string[]) =>
  app({ application_type: 'native', redirect_uris: redirectUris });
const accepts = (client: Record<string, unknown>) => validateConfig({ clients: [client] }).clients[0];
const only = (key: string, message: string) => [{ key, message }];

describe('clients: the authorization code flow', () => {
  it('accepts a public web app and fills in the sign-in defaults', () => {
    assert.deepEqual(accepts(app()), {
      client_id: 'app',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      redirect_uris: ['https://app.example/cb'],
      post_logout_redirect_uris: [],
      application_type: 'web',
      require_pushed_authorization_requests: false,
      backchannel_logout_session_required: false,
      tls_client_certificate_bound_access_tokens: false,
      dpop_bound_access_tokens: false,
    });
  });

  it('accepts every new key on a confidential client', () => {
    const client = accepts(
      app({
        token_endpoint_auth_method: 'client_secret_basic',
        client_secret: 'a-client-secret-of-at-least-32-characters',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        post_logout_redirect_uris: ['https://app.example/bye'],
        require_pushed_authorization_requests: true,
        id_token_signed_response_alg: 'EdDSA',
        backchannel_logout_uri: 'https://app.example/logout',
        backchannel_logout_session_required: true,
        client_uri: 'https://app.example',
        logo_uri: 'https://app.example/logo.png',
      }),
    );
    assert.equal(client?.id_token_signed_response_alg, 'EdDSA');
    assert.equal(client?.require_pushed_authorization_requests, true);
  });

  it('leaves id_token_signed_response_alg unset so RS256 applies (OIDC Registration §2)', () => {
    assert.equal(accepts(app())?.id_token_signed_response_alg, undefined);
  });

  it('accepts OpenID Connect scopes beside API scopes in a client’s scope', () => {
    const client = validateConfig({
      resources: [{ id: 'https://orders.example', scopes: ['orders:read'] }],
      clients: [
        app({
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid profile email roles offline_access orders:read',
        }),
      ],
    }).clients[0];
    assert.equal(client?.scope, 'openid profile email roles offline_access orders:read');
  });

  it('refuses offline_access in a client’s scope without refresh_token', () => {
    assert.deepEqual(
      problemsOf({ clients: [app({ scope: 'openid offline_access' })] }),
      only(
        'clients[0].scope',
        'offline_access needs refresh_token in grant_types; add it or remove offline_access',
      ),
    );
  });

  it('refuses OpenID Connect scopes for a client through which nobody signs in', () => {
    const service = {
      client_id: 'svc',
      client_secret: 'a-client-secret-of-at-least-32-characters',
      scope: 'openid profile',
    };
    assert.deepEqual(
      problemsOf({ clients: [service] }),
      only(
        'clients[0].scope',
        'openid profile need authorization_code or urn:ietf:params:oauth:grant-type:device_code in grant_types; add one or remove them',
      ),
    );
  });

  it('still refuses a scope that is neither an API’s nor OpenID Connect’s', () => {
    assert.deepEqual(
      problemsOf({ clients: [app({ scope: 'openid address' })] }),
      only('clients[0].scope', "'address' is not a scope of any resource in resources[]"),
    );
  });

  it('refuses a response type other than code', () => {
    assert.deepEqual(
      problemsOf({ clients: [app({ response_types: ['token'] })] }),
      only('clients[0].response_types[0]', 'must be code'),
    );
  });

  it('refuses an id_token_signed_response_alg it cannot sign with', () => {
    assert.deepEqual(
      problemsOf({ clients: [app({ id_token_signed_response_alg: 'none' })] }),
      only('clients[0].id_token_signed_response_alg', 'must be one of: ES256, RS256, EdDSA'),
    );
  });

  it('refuses an application_type other than web or native', () => {
    assert.deepEqual(
      problemsOf({ clients: [app({ application_type: 'spa' })] }),
      only('clients[0].application_type', 'must be one of: web, native'),
    );
  });

  it('needs a redirect URI for authorization_code', () => {
    assert.deepEqual(
      problemsOf({ clients: [app({ redirect_uris: [] })] }),
      only(
        'clients[0].redirect_uris',
        'authorization_code needs at least one redirect URI (the app’s callback URL)',
      ),
    );
  });

  it('needs authorization_code for refresh_token', () => {
    const client = app({
      grant_types: ['client_credentials', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      client_secret: 'a-client-secret-of-at-least-32-characters',
    });
    assert.deepEqual(
      problemsOf({ clients: [client] }),
      only(
        'clients[0].grant_types',
        'refresh_token needs authorization_code or urn:ietf:params:oauth:grant-type:device_code too; add one or remove refresh_token',
      ),
    );
  });

  it('needs authorization_code for response_types', () => {
    const client = {
      client_id: 'svc',
      client_secret: 'a-client-secret-of-at-least-32-characters',
      response_types: ['code'],
    };
    assert.deepEqual(
      problemsOf({ clients: [client] }),
      only(
        'clients[0].response_types',
        'code needs grant_types authorization_code; add it or remove response_types',
      ),
    );
  });

  it('still keeps public clients away from client_credentials', () => {
    assert.deepEqual(
      problemsOf({ clients: [app({ grant_types: ['authorization_code', 'client_credentials'] })] }),
      only(
        'clients[0].token_endpoint_auth_method',
        'client_credentials is only for confidential clients (RFC 6749 §4.4); use a secret or private_key_jwt',
      ),
    );
  });
});

describe('clients: redirect URIs', () => {
  it('refuses a relative URI and a fragment', () => {
    assert.deepEqual(problemsOf({ clients: [app({ redirect_uris: ['/cb', 'https://app.example/cb#x'] })] }), [
      { key: 'clients[0].redirect_uris[0]', message: "'/cb' is not an absolute URI" },
      { key: 'clients[0].redirect_uris[1]', message: 'must not contain a fragment (RFC 6749 §3.1.2)' },
    ]);
  });

  it('lets web apps use https, and http only on this machine', () => {
    accepts(
      app({
        redirect_uris: ['https://app.example/cb?x=1', 'http://localhost:3000/cb', 'http://127.0.0.1/cb'],
      }),
    );
    const message =
      'web clients need an https URL (http only for localhost); for a desktop or mobile app set application_type: native';
    assert.deepEqual(
      problemsOf({ clients: [app({ redirect_uris: ['http://app.example/cb', 'com.example.app:/cb'] })] }),
      [
        { key: 'clients[0].redirect_uris[0]', message },
        { key: 'clients[0].redirect_uris[1]', message },
      ],
    );
  });

  it('lets native apps use loopback IPs, reverse-domain schemes and https (RFC 8252 §7)', () => {
    accepts(
      nativeApp(
        'http://127.0.0.1/cb',
        'http://[::1]:8400/cb',
        'com.example.app:/oauth2',
        'https://app.example/cb',
      ),
    );
  });

  it('tells native apps to use a loopback IP instead of localhost (RFC 8252 §8.3)', () => {
    assert.deepEqual(
      problemsOf({ clients: [nativeApp('http://localhost:8400/cb')] }),
      only(
        'clients[0].redirect_uris[0]',
        'use http://127.0.0.1:8400/cb or http://[::1] instead of localhost (RFC 8252 §8.3)',
      ),
    );
  });

  it('refuses http to any other host from a native app', () => {
    assert.deepEqual(
      problemsOf({ clients: [nativeApp('http://app.example/cb')] }),
      only(
        'clients[0].redirect_uris[0]',
        'native clients may use http only with the loopback address 127.0.0.1 or [::1] (RFC 8252 §7.3)',
      ),
    );
  });

  it('refuses a private-use scheme that is not a reverse domain name (RFC 8252 §7.1)', () => {
    assert.deepEqual(problemsOf({ clients: [nativeApp('myapp:/cb', 'javascript:alert(1)')] }), [
      {
        key: 'clients[0].redirect_uris[0]',
        message:
          "the scheme 'myapp' must be a reverse domain name the app owns, such as com.example.app:/callback (RFC 8252 §7.1)",
      },
      {
        key: 'clients[0].redirect_uris[1]',
        message:
          "the scheme 'javascript' must be a reverse domain name the app owns, such as com.example.app:/callback (RFC 8252 §7.1)",
      },
    ]);
  });

  it('checks post-logout redirect URIs by the same rules', () => {
    assert.deepEqual(
      problemsOf({ clients: [app({ post_logout_redirect_uris: ['http://app.example/bye'] })] }),
      only(
        'clients[0].post_logout_redirect_uris[0]',
        'web clients need an https URL (http only for localhost); for a desktop or mobile app set application_type: native',
      ),
    );
  });
});

describe('clients: other URLs', () => {
  it('needs https for the back-channel logout URI, client_uri and logo_uri', () => {
    const client = app({
      backchannel_logout_uri: 'http://app.example/logout',
      client_uri: 'javascript:alert(1)',
      logo_uri: 'logo.png',
    });
    assert.deepEqual(problemsOf({ clients: [client] }), [
      { key: 'clients[0].backchannel_logout_uri', message: 'must be an https URL (http only for localhost)' },
      { key: 'clients[0].client_uri', message: 'must be an https URL (http only for localhost)' },
      { key: 'clients[0].logo_uri', message: "'logo.png' is not an absolute URL" },
    ]);
  });

  it('refuses a fragment in the back-channel logout URI', () => {
    assert.deepEqual(
      problemsOf({ clients: [app({ backchannel_logout_uri: 'https://app.example/logout#x' })] }),
      only('clients[0].backchannel_logout_uri', 'must not contain a fragment'),
    );
  });
});
