import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';

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
    async run(...argv) {
      let out = '';
      let err = '';
      const code = await main(argv, {
        out: (text) => {
          out += `${text}\n`;
        },
        err: (text) => {
          err += `${text}\n`;
        },
        env,
        cwd: dir,
      });
      return { code, out, err };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
