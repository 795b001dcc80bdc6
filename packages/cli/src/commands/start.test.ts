import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createCliSandbox, SANDBOX_CONFIG } from '../testing/run-cli.js';

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

/**
 * `gatehouse start` in a child process on a free port, once its stderr shows `ready` (the
 * listening line by default). `stop()` sends SIGTERM and resolves with the exit code.
 */
async function startGatehouse(sandbox: { dir: string; env: NodeJS.ProcessEnv }, ready = 'listening on') {
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
  for (let i = 0; i < 200 && !stderr.includes(ready) && child.exitCode === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    issuer,
    stderr: () => stderr,
    async stop(): Promise<number | null> {
      child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
}

describe('gatehouse start', () => {
  const sandbox = createCliSandbox();
  after(() => sandbox.cleanup());

  it('serves tokens until SIGTERM, then exits 0', async () => {
    const server = await startGatehouse(sandbox);
    try {
      assert.match(server.stderr(), new RegExp(`Gatehouse issuer ${server.issuer} listening on`));
      const res = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('from-config:config-secret-0123456789abcdefghijklmnop').toString('base64')}`,
        },
        body: 'grant_type=client_credentials&scope=orders:read',
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { token_type: string }).token_type, 'Bearer');
      assert.equal((await fetch(`${server.issuer}/readyz`)).status, 200);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('serves the probes and metrics only on the management listener when there is one', async () => {
    const managementPort = await freePort();
    const managed = createCliSandbox(
      `${SANDBOX_CONFIG}management:\n  host: 127.0.0.1\n  port: ${managementPort}\n`,
    );
    const server = await startGatehouse(managed, 'Probes and metrics');
    try {
      const management = `http://127.0.0.1:${managementPort}`;
      assert.match(
        server.stderr(),
        new RegExp(`Probes and metrics \\(/healthz, /readyz, /metrics\\) on ${management}`),
      );
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        assert.equal((await fetch(`${management}${path}`)).status, 200, `${path} on the management listener`);
        assert.equal(
          (await fetch(`${server.issuer}${path}`)).status,
          404,
          `${path} not on the public listener`,
        );
      }
      assert.match(await (await fetch(`${management}/metrics`)).text(), /^# HELP gatehouse_/m);
      assert.equal((await fetch(`${server.issuer}/.well-known/openid-configuration`)).status, 200);
    } finally {
      assert.equal(await server.stop(), 0);
      managed.cleanup();
    }
  });

  it('rejects a port that is not a number', async () => {
    const { code, err } = await sandbox.run('start', '--port', 'eighty');
    assert.equal(code, 2);
    assert.match(err, /--port must be a number from 0 to 65535, not 'eighty'/);
  });
});

/** A self-signed P-256 certificate made with the openssl command, as PEM text and files. */
function selfSigned(dir: string, name: string, extensions: string[]) {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    '/usr/bin/openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1']
      .concat(['-keyout', keyFile, '-out', certFile, '-subj', `/CN=${name}`, '-config', '/dev/null'])
      .concat(extensions.flatMap((extension) => ['-addext', extension])),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

describe('gatehouse start with tls (RFC 8705)', () => {
  const pki = mkdtempSync(join(tmpdir(), 'gatehouse-cli-tls-'));
  const server = selfSigned(pki, 'localhost', [
    'subjectAltName=IP:127.0.0.1',
    'basicConstraints=critical,CA:FALSE',
  ]);
  const device = selfSigned(pki, 'device-42', ['basicConstraints=critical,CA:FALSE']);
  const jwk = new X509Certificate(device.cert).publicKey.export({ format: 'jwk' });
  after(() => rmSync(pki, { recursive: true, force: true }));

  it('serves the mutual-TLS endpoints on tls.port beside the plain listener, and advertises them', async () => {
    const tlsPort = await freePort();
    const sandbox = createCliSandbox(`${SANDBOX_CONFIG}
  - client_id: device-42
    token_endpoint_auth_method: self_signed_tls_client_auth
    jwks: { keys: [${JSON.stringify(jwk)}] }
    tls_client_certificate_bound_access_tokens: true
    scope: orders:read
tls:
  cert_file: ${server.certFile}
  key_file: ${server.keyFile}
  port: ${tlsPort}
`);
    const gatehouse = await startGatehouse(sandbox, 'Mutual TLS');
    const { issuer } = gatehouse;
    try {
      assert.match(
        gatehouse.stderr(),
        new RegExp(`Mutual TLS \\(client certificates\\) on https://127\\.0\\.0\\.1:${tlsPort}`),
      );
      const metadata = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as {
        mtls_endpoint_aliases: Record<string, string>;
      };
      const tokenEndpoint = metadata.mtls_endpoint_aliases['token_endpoint'];
      assert.equal(tokenEndpoint, `https://127.0.0.1:${tlsPort}/token`);
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          tokenEndpoint!,
          {
            method: 'POST',
            agent: false,
            ca: server.cert,
            cert: device.cert,
            key: device.key,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => {
              text += chunk.toString();
            });
            res.on('end', () => resolve(`${res.statusCode} ${text}`));
          },
        );
        req.on('error', reject);
        req.end('grant_type=client_credentials&client_id=device-42&scope=orders:read');
      });
      assert.match(body, /^200 /);
      const token = JSON.parse(body.slice(4)) as { access_token: string };
      const claims = JSON.parse(Buffer.from(token.access_token.split('.')[1]!, 'base64url').toString()) as {
        cnf?: Record<string, string>;
      };
      assert.equal(typeof claims.cnf?.['x5t#S256'], 'string');
    } finally {
      assert.equal(await gatehouse.stop(), 0);
      sandbox.cleanup();
    }
  });
});
