import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createCliSandbox } from '../testing/run-cli.js';

const bin = fileURLToPath(new URL('../bin.ts', import.meta.url));
// Resolved here: the child runs in a temp folder, where a bare 'tsx' would not resolve.
const tsx = import.meta.resolve('tsx');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('gatehouse start', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  it('serves tokens until SIGTERM, then exits 0', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const child = spawn(
      process.execPath,
      ['--conditions=development', '--import', tsx, bin, 'start', '--port', String(port), '--issuer', issuer],
      { cwd: sandbox.dir, env: { ...process.env, ...sandbox.env, GATEHOUSE_LOG_LEVEL: 'warn' } },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = once(child, 'exit');
    try {
      for (let i = 0; i < 200 && !stderr.includes('listening on'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(stderr, new RegExp(`Gatehouse issuer ${issuer} listening on`));
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('from-config:config-secret-0123456789abcdefghijklmnop').toString('base64')}`,
        },
        body: 'grant_type=client_credentials&scope=orders:read',
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { token_type: string }).token_type, 'Bearer');
      assert.equal((await fetch(`${issuer}/readyz`)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    assert.equal(code, 0);
  });

  it('rejects a port that is not a number', async () => {
    const { code, err } = await sandbox.run('start', '--port', 'eighty');
    assert.equal(code, 2);
    assert.match(err, /--port must be a number from 0 to 65535, not 'eighty'/);
  });
});
