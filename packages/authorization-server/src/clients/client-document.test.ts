import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from '../config/load.js';
import { checkClientDocument } from './client-document.js';

const config = validateConfig({
  issuer: 'https://issuer.test',
  resources: [
    { id: 'https://api.test', scopes: ['orders:read'], introspection_clients: ['resource-server'] },
  ],
  clients: [{ client_id: 'resource-server', client_secret: 'rs-secret-0123456789abcdefghijklmnopq' }],
});

describe('checkClientDocument', () => {
  it('returns the stored metadata of a valid client, with the config file defaults and no secret', () => {
    const result = checkClientDocument(
      {
        client_id: 'tv',
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
        scope: 'openid orders:read',
      },
      config,
    );
    assert.ok(result.ok);
    assert.equal(result.client.client_id, 'tv');
    assert.equal(result.metadata.application_type, 'web');
    assert.deepEqual(result.metadata.redirect_uris, []);
    assert.equal('client_id' in result.metadata, false);
    assert.equal('client_secret' in result.metadata, false);
  });

  it('keeps the secret out of the metadata', () => {
    const result = checkClientDocument(
      { client_id: 'svc', client_secret: 'svc-secret-0123456789abcdefghijklmnopq', scope: 'orders:read' },
      config,
    );
    assert.ok(result.ok);
    assert.equal('client_secret' in result.metadata, false);
  });

  it('reports schema and semantic problems keyed by the client’s own fields', () => {
    const schema = checkClientDocument({ client_id: 'x', grant_types: ['implicit'] }, config);
    assert.equal(schema.ok, false);
    assert.deepEqual(!schema.ok && schema.problems.map((p) => p.key), ['grant_types[0]']);
    const semantic = checkClientDocument(
      {
        client_id: 'x',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        redirect_uris: ['http://app.test/cb'],
        scope: 'nope',
      },
      config,
    );
    assert.equal(semantic.ok, false);
    assert.deepEqual(!semantic.ok && semantic.problems.map((p) => p.key).sort(), [
      'redirect_uris[0]',
      'scope',
    ]);
  });

  it('refuses a client_id the config file already defines', () => {
    const result = checkClientDocument(
      { client_id: 'resource-server', client_secret: 'x'.repeat(32) },
      config,
    );
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.problems, [
      { key: 'client_id', message: "duplicate client_id 'resource-server'" },
    ]);
  });
});
