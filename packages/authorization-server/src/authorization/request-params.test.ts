import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FormParams } from '../http/form-params.js';
import { paramsFromRecord, recordFromParams } from './request-params.js';

describe('request params', () => {
  it('keeps the authorization request parameters, repeated resource as an array', () => {
    const params = FormParams.parse(
      'client_id=app&scope=openid&resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example&state=s',
    );
    assert.deepEqual(recordFromParams(params), {
      client_id: 'app',
      scope: 'openid',
      state: 's',
      resource: ['https://a.example', 'https://b.example'],
    });
  });

  it('drops client authentication and unknown parameters', () => {
    const params = FormParams.parse('client_id=app&client_secret=s3cret&client_assertion=x&foo=bar');
    assert.deepEqual(recordFromParams(params), { client_id: 'app' });
  });

  it('reads a stored record back like the query it came from', () => {
    const params = paramsFromRecord({
      client_id: 'app',
      resource: ['https://a.example', 'https://b.example'],
    });
    assert.equal(params.get('client_id'), 'app');
    assert.deepEqual(params.getAll('client_id'), ['app']);
    assert.equal(params.get('resource'), 'https://a.example');
    assert.deepEqual(params.getAll('resource'), ['https://a.example', 'https://b.example']);
    assert.equal(params.get('state'), undefined);
    assert.deepEqual(params.getAll('state'), []);
    assert.equal(params.get('toString'), undefined);
  });
});
