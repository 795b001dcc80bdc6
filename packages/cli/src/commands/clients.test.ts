import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCliSandbox } from '../testing/run-cli.js';

describe('gatehouse clients', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  let secret: string;
  before(async () => {
    const { code, out } = await sandbox.run(
      'clients',
      'add',
      'billing',
      '--scope',
      'orders:read',
      '--name',
      'Billing',
    );
    assert.equal(code, 0, out);
    secret = /^client_secret: (\S+)$/m.exec(out)![1]!;
  });

  it('adds a client with a 256-bit secret shown once', () => {
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
  });

  it('lists config and admin clients', async () => {
    const { code, out } = await sandbox.run('clients', 'list');
    assert.equal(code, 0);
    assert.match(out, /^billing +admin +client_secret_basic +client_credentials +orders:read/m);
    assert.doesNotMatch(out, new RegExp(secret), 'the secret is never listed');
  });

  it('lists clients as JSON without secrets', async () => {
    const { out } = await sandbox.run('clients', 'list', '--json');
    const list = JSON.parse(out) as { client_id: string; client_secret?: string }[];
    assert.deepEqual(list.map((c) => c.client_id).sort(), ['billing']);
    assert.ok(list.every((c) => c.client_secret === undefined));
  });

  it('refuses a duplicate client_id', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'billing');
    assert.equal(code, 1);
    assert.match(err, /already exists/);
  });

  it('refuses a scope no resource defines', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'x', '--scope', 'nope');
    assert.equal(code, 2);
    assert.match(err, /scope not defined by any resource in the config: nope/);
  });

  it('refuses private_key_jwt without --jwks-uri', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'x', '--auth-method', 'private_key_jwt');
    assert.equal(code, 2);
    assert.match(err, /needs --jwks-uri/);
  });

  it('refuses an unknown auth method', async () => {
    const { code, err } = await sandbox.run('clients', 'add', 'x', '--auth-method', 'tls_client_auth');
    assert.equal(code, 2);
    assert.match(err, /--auth-method must be one of/);
  });

  it('removes an admin client and says so for a missing one', async () => {
    await sandbox.run('clients', 'add', 'temp');
    assert.equal((await sandbox.run('clients', 'remove', 'temp')).code, 0);
    const again = await sandbox.run('clients', 'remove', 'temp');
    assert.equal(again.code, 1);
    assert.match(again.err, /no client 'temp'/);
  });

  it('needs a CLIENT_ID for add and remove', async () => {
    const { code, err } = await sandbox.run('clients', 'remove');
    assert.equal(code, 2);
    assert.match(err, /needs a CLIENT_ID/);
  });
});
