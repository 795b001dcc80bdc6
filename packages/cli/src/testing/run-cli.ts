import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../command.js';
import { commands, main } from '../main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export interface CliSandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  run(...argv: string[]): Promise<CliRun>;
  cleanup(): void;
}

export const SANDBOX_CONFIG = `
issuer: http://localhost:8080
resources:
  - id: https://orders.test
    scopes: [orders:read, orders:write]
clients:
  - client_id: from-config
    client_secret: config-secret-0123456789abcdefghijklmnop
    scope: orders:read
`;

/** A temp folder with a gatehouse.yaml and a master key: commands run as if started there. */
export function createCliSandbox(config = SANDBOX_CONFIG): CliSandbox {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  writeFileSync(join(dir, 'gatehouse.yaml'), config);
  const env = { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 3).toString('base64url') };
  return {
    dir,
    env,
    run: (...argv) => runCli({ dir, env }, argv),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs the CLI as `gatehouse <argv>` in the sandbox, capturing what it prints. `available`
 * replaces the command list, to run a command built with test doubles.
 */
export async function runCli(
  sandbox: Pick<CliSandbox, 'dir' | 'env'>,
  argv: string[],
  available: readonly Command[] = commands,
): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(
    argv,
    {
      out: (text) => {
        out += `${text}\n`;
      },
      err: (text) => {
        err += `${text}\n`;
      },
      env: sandbox.env,
      cwd: sandbox.dir,
    },
    available,
  );
  return { code, out, err };
}
