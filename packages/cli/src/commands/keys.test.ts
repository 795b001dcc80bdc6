import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createCliSandbox } from '../testing/run-cli.js';

describe('gatehouse keys', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  it('says there is no key before the first start', async () => {
    const { code, out } = await sandbox.run('keys', 'list');
    assert.equal(code, 0);
    assert.match(out, /no signing keys yet/);
  });

  it('rotates: the new key is published as next, then signs at once with --immediately', async () => {
    const first = await sandbox.run('keys', 'rotate', '--immediately');
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^added ES256 key (\S+); it is published now/m);
    const second = await sandbox.run('keys', 'rotate');
    assert.equal(second.code, 0);
    const { out } = await sandbox.run('keys', 'list');
    assert.match(out, /^KID +ALG +STATE/);
    assert.match(out, / ES256 +signing /);
    assert.match(out, / ES256 +next /);
  });

  it('rejects an unknown action', async () => {
    const { code, err } = await sandbox.run('keys', 'shred');
    assert.equal(code, 2);
    assert.match(err, /unknown action 'shred'/);
  });
});
