import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Settings } from 'typebox/system';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigError, yamlKey } from './config-error.js';
import { ConfigSchema, type GatehouseConfig } from './schema.js';
import { checkConfigSemantics } from './semantics.js';

export interface LoadConfigOptions {
  /** Path of gatehouse.yaml / .json; without it, the defaults (plus env and overrides) apply. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line values; they win over the file and the environment. */
  overrides?: { port?: number; host?: string; dataDir?: string; issuer?: string; databaseUrl?: string };
}

/**
 * The only reader of configuration files and GATEHOUSE_* variables. Returns a complete,
 * validated config or throws ConfigError listing every problem at once.
 */
export function loadConfig(options: LoadConfigOptions = {}): GatehouseConfig {
  const env = options.env ?? process.env;
  const source = options.file ?? '(defaults)';
  const raw = options.file === undefined ? {} : readConfigFile(options.file);
  applyOverrides(raw, env, options.overrides ?? {});
  return validateConfig(raw, source);
}

/** Validates an already-parsed document (for tests and programmatic use). */
export function validateConfig(document: unknown, source = '(inline)'): GatehouseConfig {
  if (!isMapping(document)) throw new ConfigError([{ key: '', message: NOT_A_MAPPING }], source);
  const withDefaults = Value.Default(ConfigSchema, structuredClone(document));
  const errors = schemaErrors(withDefaults);
  if (errors.length > 0) {
    const allowed = allowedValuesByKey(errors);
    throw new ConfigError(dedupe(errors.flatMap((e) => describeSchemaError(e, allowed))), source);
  }
  const config = withDefaults as GatehouseConfig;
  config.issuer ??= `http://localhost:${config.listen.port}`;
  const problems = checkConfigSemantics(config);
  if (problems.length > 0) throw new ConfigError(problems, source);
  return config;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      [
        {
          key: '',
          message: code === 'ENOENT' ? 'file not found (check --config)' : `cannot read the file (${code})`,
        },
      ],
      file,
    );
  }
  let parsed: unknown;
  try {
    parsed = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      [
        {
          key: '',
          message: `not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
        },
      ],
      file,
    );
  }
  // An empty file is all defaults. Anything else but a mapping (a list, a bare string or number)
  // is refused here, before the overrides below try to set keys on it.
  if (parsed === null || parsed === undefined) return {};
  if (!isMapping(parsed)) throw new ConfigError([{ key: '', message: NOT_A_MAPPING }], file);
  return parsed;
}

const NOT_A_MAPPING = 'the configuration must be a mapping of keys to values';

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function applyOverrides(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  overrides: NonNullable<LoadConfigOptions['overrides']>,
): void {
  if (raw['listen'] === undefined) raw['listen'] = {};
  // A `listen` that is not a mapping is left as it is, for validation to name.
  const listen = isMapping(raw['listen']) ? raw['listen'] : {};
  const fromEnv = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const port = overrides.port ?? fromEnv('GATEHOUSE_PORT');
  if (port !== undefined)
    listen['port'] = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
  const host = overrides.host ?? fromEnv('GATEHOUSE_HOST');
  if (host !== undefined) listen['host'] = host;
  const issuer = overrides.issuer ?? fromEnv('GATEHOUSE_ISSUER');
  if (issuer !== undefined) raw['issuer'] = issuer;
  const dataDir = overrides.dataDir ?? fromEnv('GATEHOUSE_DATA_DIR');
  if (dataDir !== undefined) raw['data_dir'] = dataDir;
  const databaseUrl = overrides.databaseUrl ?? fromEnv('GATEHOUSE_DATABASE_URL');
  if (databaseUrl !== undefined) raw['database_url'] = databaseUrl;
  const logLevel = fromEnv('GATEHOUSE_LOG_LEVEL');
  if (logLevel !== undefined) raw['log_level'] = logLevel;
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: object;
  message: string;
}

/**
 * Every schema error of the document. TypeBox stops at 8 by default, and one bad value of a
 * union of literals already makes 8 (one per literal plus anyOf), which hid every later
 * problem; a config file is written by the operator, so the cap is raised for this call only.
 */
function schemaErrors(document: unknown): SchemaError[] {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: 1000 });
  try {
    return Value.Errors(ConfigSchema, document);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}

/** The literals a key may take, from the `const` errors of each branch of its union. */
function allowedValuesByKey(errors: SchemaError[]): Map<string, unknown[]> {
  const allowed = new Map<string, unknown[]>();
  for (const error of errors) {
    if (error.keyword !== 'const') continue;
    const values = allowed.get(error.instancePath) ?? [];
    values.push((error.params as { allowedValue?: unknown }).allowedValue);
    allowed.set(error.instancePath, values);
  }
  return allowed;
}

function describeSchemaError(
  error: SchemaError,
  allowed: Map<string, unknown[]>,
): { key: string; message: string }[] {
  const key = yamlKey(error.instancePath);
  const params = error.params as Record<string, unknown>;
  // 'must be equal to constant' once per literal, then 'must match a schema in anyOf': say
  // instead which values the key takes (dedupe() keeps one).
  const values = allowed.get(error.instancePath);
  if ((error.keyword === 'const' || error.keyword === 'anyOf') && values) {
    return [
      { key, message: values.length === 1 ? `must be ${values[0]}` : `must be one of: ${values.join(', ')}` },
    ];
  }
  // TypeBox reports an unknown key twice: as `schema is false` at the key itself (the `false`
  // schema of additionalProperties) and as additionalProperties at its parent. The second
  // names every unknown key, so it alone becomes one problem per key, named in full.
  if (error.keyword === 'boolean') return [];
  if (error.keyword === 'additionalProperties') {
    const names = (params['additionalProperties'] as string[] | undefined) ?? [];
    return names.map((name) => ({
      key: key ? `${key}.${name}` : name,
      message: 'unknown key (check the spelling; see docs/configuration.md)',
    }));
  }
  if (error.keyword === 'required') {
    const names = (params['requiredProperties'] as string[] | undefined) ?? [];
    return [{ key, message: `missing required key ${names.map((n) => `'${n}'`).join(', ')}` }];
  }
  return [{ key, message: error.message }];
}

function dedupe(problems: { key: string; message: string }[]): { key: string; message: string }[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.key}\u0000${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
