import { readFileSync } from 'node:fs';
import { ConfigError } from '@gatehouse/authorization-server';
import { type CliIO, type Command, UsageError } from './command.js';
import { clientsCommand } from './commands/clients.js';
import { keysCommand } from './commands/keys.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { migrateCommand } from './commands/migrate.js';
import { startCommand } from './commands/start.js';
import { tokenCommand } from './commands/token.js';
import { usersCommand } from './commands/users.js';
import { whoamiCommand } from './commands/whoami.js';

export const commands: readonly Command[] = [
  startCommand,
  migrateCommand,
  clientsCommand,
  keysCommand,
  usersCommand,
  loginCommand,
  whoamiCommand,
  tokenCommand,
  logoutCommand,
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: gatehouse <command> [options]

Gatehouse: an OAuth 2.1 / OpenID Connect authorization server.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'gatehouse <command> --help' for a command's options.
Options: -h, --help   show this help;  -v, --version   print the version`;
}

/**
 * Runs the CLI and resolves to the process exit code; never throws. `available` lets a test
 * swap in a command built with fakes (e.g. a scripted password prompt).
 */
export async function main(
  argv: string[],
  io: CliIO,
  available: readonly Command[] = commands,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.out(version());
    return 0;
  }
  const command = available.find((c) => c.name === name);
  if (!command) {
    io.err(`gatehouse: unknown command '${name}'\n\n${mainHelp()}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`gatehouse ${name}: ${(error as Error).message}\nRun 'gatehouse ${name} --help' for usage.`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.err(`gatehouse ${name}: ${error.message}`);
      return 2;
    }
    io.err(`gatehouse ${name}: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}
