import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type DerivedKeys,
  deriveKeys,
  type GatehouseConfig,
  loadConfig,
  openConfiguredStore,
  resolveMasterKey,
} from '@gatehouse/authorization-server';
import type { Store } from '@gatehouse/store';
import type { CliIO } from './command.js';

export const configOptions = {
  config: { type: 'string', short: 'c' },
  'data-dir': { type: 'string', short: 'd' },
  'database-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ConfigFlags {
  config?: string | undefined;
  'data-dir'?: string | undefined;
  'database-url'?: string | undefined;
  port?: number | undefined;
  host?: string | undefined;
  issuer?: string | undefined;
}

/** The config file to read: --config, then $GATEHOUSE_CONFIG, then ./gatehouse.yaml if present. */
export function configFile(flags: ConfigFlags, io: CliIO): string | undefined {
  const named = flags.config ?? io.env['GATEHOUSE_CONFIG'];
  if (named) return resolve(io.cwd, named);
  for (const candidate of ['gatehouse.yaml', 'gatehouse.yml', 'gatehouse.json']) {
    const path = resolve(io.cwd, candidate);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export function loadCliConfig(flags: ConfigFlags, io: CliIO): GatehouseConfig {
  const file = configFile(flags, io);
  const config = loadConfig({
    ...(file === undefined ? {} : { file }),
    env: io.env,
    overrides: {
      ...(flags.port === undefined ? {} : { port: flags.port }),
      ...(flags.host === undefined ? {} : { host: flags.host }),
      ...(flags.issuer === undefined ? {} : { issuer: flags.issuer }),
      ...(flags['data-dir'] === undefined ? {} : { dataDir: flags['data-dir'] }),
      ...(flags['database-url'] === undefined ? {} : { databaseUrl: flags['database-url'] }),
    },
  });
  config.data_dir = resolve(io.cwd, config.data_dir);
  return config;
}

/** Opens and migrates the configured store, runs `work`, and always closes it. */
export async function withStore<T>(config: GatehouseConfig, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openConfiguredStore(config);
  try {
    await store.migrate();
    return await work(store);
  } finally {
    await store.close();
  }
}

/** The keys derived from the master key, exactly as the server derives them. */
export function cliSecrets(config: GatehouseConfig, io: CliIO): DerivedKeys {
  const master = resolveMasterKey(config.data_dir, io.env);
  if (master.origin === 'generated') {
    io.err(`note: generated a new master key in ${master.file}; set GATEHOUSE_MASTER_KEY in production`);
  }
  return deriveKeys(master.key);
}

export function formatTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Left-aligned columns for list output. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
