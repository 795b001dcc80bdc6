import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type CliIO, UsageError } from '../command.js';
import { cliHomeDir } from '../credentials/config-home.js';
import { readLogins, type StoredLogin } from '../credentials/credentials-file.js';
import { storedLoginFor } from './login-issuer.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What every command about a login takes; ISSUER_OPTION_HELP and `-h, --help` describe them. */
const LOGIN_OPTIONS = {
  issuer: { type: 'string' },
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** The parsed flags: LOGIN_OPTIONS' and the command's own, typed as parseArgs types them. */
export type LoginArgs<T extends Options> = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: typeof LOGIN_OPTIONS & T;
    allowPositionals: true;
    strict: true;
  }>
>['values'];

/**
 * Reads the arguments of `gatehouse login`, `logout`, `token` or `whoami`: --issuer,
 * -c/--config, -h/--help and the command's own `options`, and no positional argument (a
 * UsageError names the first). With --help it prints `help` and returns undefined; the
 * command then exits 0 and does nothing else.
 */
export function parseLoginArgs<const T extends Options = Record<never, never>>(
  args: string[],
  io: CliIO,
  command: { name: string; help: string },
  options?: T,
): LoginArgs<T> | undefined {
  const { values, positionals } = parseArgs({
    args,
    options: { ...LOGIN_OPTIONS, ...options },
    allowPositionals: true,
    strict: true,
  });
  if (values['help']) {
    io.out(command.help);
    return undefined;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0]}'`, command.name);
  }
  return values as LoginArgs<T>;
}

/** The credentials directory, and in it the stored login the flags choose (see storedLoginFor). */
export function chooseStoredLogin(
  flags: { issuer?: string | undefined; config?: string | undefined },
  io: CliIO,
  command: string,
): { dir: string; login: StoredLogin } {
  const dir = cliHomeDir(io.env);
  return { dir, login: storedLoginFor(readLogins(dir), flags, io, command) };
}
