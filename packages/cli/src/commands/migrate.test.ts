import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createCliSandbox } from '../testing/run-cli.js';

describe('gatehouse migrate', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  it('lists pending migrations, applies them, then has nothing to do', async () => {
    const status = await sandbox.run('migrate', '--status');
    assert.equal(status.code, 0);
    assert.match(status.out, /^pending migrations:\n {2}0001-initial/);
    const applied = await sandbox.run('migrate');
    assert.equal(applied.code, 0);
    assert.match(applied.out, /^applied \d+ migration\(s\):/);
    const again = await sandbox.run('migrate');
    assert.match(again.out, /nothing to apply/);
    assert.match((await sandbox.run('migrate', '--status')).out, /database is up to date/);
  });
});
