import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from './load.js';

function problemsOf(device: Record<string, unknown>): string {
  try {
    validateConfig({ device });
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('config: device', () => {
  it('accepts the defaults', () => {
    assert.equal(problemsOf({}), '');
  });

  it('refuses an interval as long as the code lifetime', () => {
    assert.match(
      problemsOf({ code_lifetime: 60, interval: 60 }),
      /device\.interval: must be shorter than code_lifetime \(60\)/,
    );
  });

  it('refuses a throttle whose count is forgotten before its wait ends', () => {
    assert.match(
      problemsOf({ verification_throttle: { max_delay: 7200, forget_after: 3600 } }),
      /device\.verification_throttle\.forget_after: must be at least max_delay/,
    );
    assert.match(
      problemsOf({ verification_throttle: { base_delay: 600, max_delay: 300 } }),
      /device\.verification_throttle\.max_delay: must be at least base_delay/,
    );
  });

  it('accepts a device client without redirect URIs, and refresh_token beside the device grant', () => {
    const config = validateConfig({
      clients: [
        {
          client_id: 'cli',
          token_endpoint_auth_method: 'none',
          grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        },
      ],
    });
    assert.deepEqual(config.clients[0]?.redirect_uris, []);
  });
});
