import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createCliSandbox, SANDBOX_CONFIG } from '../testing/run-cli.js';

describe('gatehouse keys', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  it('says there is no key before the first start', async () => {
    const { code, out } = await sandbox.run('keys', 'list');
    assert.equal(code, 0);
    assert.match(out, /no signing keys yet/);
  });

  it('rotates every alg in use: the new keys are published as next, then sign at once with --immediately', async () => {
    const first = await sandbox.run('keys', 'rotate', '--immediately');
    assert.equal(first.code, 0, first.err);
    // tokens.signing_alg (ES256 by default) for access tokens, RS256 for ID tokens.
    const added = [...first.out.matchAll(/^added (\S+) key (\S+); it is published now/gm)].map((m) => m[1]);
    assert.deepEqual(added, ['ES256', 'RS256']);
    const second = await sandbox.run('keys', 'rotate');
    assert.equal(second.code, 0);
    const { out } = await sandbox.run('keys', 'list');
    assert.match(out, /^KID +ALG +STATE/);
    const rows = out
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/ +/).slice(1, 3).join(' '))
      .sort();
    assert.deepEqual(rows, ['ES256 next', 'ES256 signing', 'RS256 next', 'RS256 signing']);
  });

  it('rotates a client’s id_token_signed_response_alg too', async () => {
    const other = createCliSandbox(`${SANDBOX_CONFIG}
  - client_id: web
    client_secret: web-secret-0123456789abcdefghijklmnopqr
    grant_types: [authorization_code]
    redirect_uris: [https://web.test/cb]
    id_token_signed_response_alg: EdDSA
`);
    try {
      const { code, out, err } = await other.run('keys', 'rotate', '--immediately');
      assert.equal(code, 0, err);
      const added = [...out.matchAll(/^added (\S+) key/gm)].map((m) => m[1]);
      assert.deepEqual(added, ['ES256', 'RS256', 'EdDSA']);
    } finally {
      other.cleanup();
    }
  });

  it('rejects an unknown action', async () => {
    const { code, err } = await sandbox.run('keys', 'shred');
    assert.equal(code, 2);
    assert.match(err, /unknown action 'shred'/);
  });
});
