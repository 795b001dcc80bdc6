import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientConfig } from '../config/schema.js';
import { DEFAULT_ID_TOKEN_ALG, signingAlgsInUse } from './signing-algs.js';

const client = (alg?: ClientConfig['id_token_signed_response_alg']) =>
  ({ client_id: 'c', ...(alg ? { id_token_signed_response_alg: alg } : {}) }) as ClientConfig;

describe('signing algs in use', () => {
  it('is RS256, the ID-token default of OIDC Registration §2', () => {
    assert.equal(DEFAULT_ID_TOKEN_ALG, 'RS256');
  });

  it('keeps RS256 beside the access-token alg, access-token alg first', () => {
    assert.deepEqual(signingAlgsInUse({ tokens: { signing_alg: 'ES256' } as never, clients: [] }), [
      'ES256',
      'RS256',
    ]);
  });

  it('names RS256 once when it is also the access-token alg', () => {
    assert.deepEqual(signingAlgsInUse({ tokens: { signing_alg: 'RS256' } as never, clients: [] }), ['RS256']);
  });

  it('adds each client’s id_token_signed_response_alg once', () => {
    const clients = [client('EdDSA'), client(), client('EdDSA'), client('RS256')];
    assert.deepEqual(signingAlgsInUse({ tokens: { signing_alg: 'ES256' } as never, clients }), [
      'ES256',
      'RS256',
      'EdDSA',
    ]);
  });
});
