import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { commands } from './main.js';
import { createCliSandbox } from './testing/run-cli.js';

describe('gatehouse (no command)', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  it('prints the command list and exits 2 without a command', async () => {
    const { code, out } = await sandbox.run();
    assert.equal(code, 2);
    for (const command of commands) assert.match(out, new RegExp(`^  ${command.name} `, 'm'));
  });

  it('prints help and exits 0 with --help', async () => {
    const { code, out } = await sandbox.run('--help');
    assert.equal(code, 0);
    assert.match(out, /^Usage: gatehouse <command>/);
  });

  it('prints the version', async () => {
    const { code, out } = await sandbox.run('--version');
    assert.equal(code, 0);
    assert.match(out.trim(), /^\d+\.\d+\.\d+$/);
  });

  it('names an unknown command and exits 2', async () => {
    const { code, err } = await sandbox.run('frobnicate');
    assert.equal(code, 2);
    assert.match(err, /unknown command 'frobnicate'/);
  });

  for (const command of commands) {
    it(`gives --help for ${command.name}`, async () => {
      const { code, out } = await sandbox.run(command.name, '--help');
      assert.equal(code, 0);
      assert.match(out, new RegExp(`^Usage: gatehouse ${command.name}`));
    });
  }

  it('points at --help for an unknown option', async () => {
    const { code, err } = await sandbox.run('migrate', '--frob');
    assert.equal(code, 2);
    assert.match(err, /Run 'gatehouse migrate --help' for usage/);
  });

  it('reports a bad config file by key and exits 2', async () => {
    const bad = createCliSandbox(
      'issuer: http://localhost:8080\nclients:\n  - client_id: x\n    client_secert: y\n',
    );
    try {
      const { code, err } = await bad.run('migrate');
      assert.equal(code, 2);
      assert.match(err, /clients\[0\]\.client_secert/);
    } finally {
      bad.cleanup();
    }
  });
});
