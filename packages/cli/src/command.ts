/** Where a command writes and what it reads from outside; injected so commands can be tested. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  /** Full help text, shown by `gatehouse <name> --help`. */
  help: string;
  /** Resolves to the exit code. Long-running commands resolve when they stop. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** A mistake in how the command was called: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const CONFIG_OPTION_HELP = `  -c, --config FILE     gatehouse.yaml (or .json) to use; default: $GATEHOUSE_CONFIG, else
                        ./gatehouse.yaml if it exists, else built-in defaults
  -d, --data-dir DIR    data directory for the embedded SQLite database (default ./data)
      --database-url URL  use PostgreSQL instead of SQLite ($GATEHOUSE_DATABASE_URL)`;
