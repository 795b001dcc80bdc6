import { parseArgs } from 'node:util';
import { openConfiguredStore } from '@gatehouse/authorization-server';
import { configOptions, loadCliConfig } from '../cli-config.js';
import { CONFIG_OPTION_HELP, type Command } from '../command.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations',
  help: `Usage: gatehouse migrate [options]

Applies every pending migration to the configured database (start does this too). Safe to
run from several machines at once.

Options:
${CONFIG_OPTION_HELP}
      --status          list pending migrations without applying them
  -h, --help            show this help`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { ...configOptions, status: { type: 'boolean' } },
      strict: true,
    });
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    const config = loadCliConfig(values, io);
    const store = await openConfiguredStore(config);
    try {
      if (values.status) {
        const pending = await store.pendingMigrations();
        io.out(
          pending.length === 0
            ? 'database is up to date'
            : `pending migrations:\n${pending.map((m) => `  ${m}`).join('\n')}`,
        );
        return 0;
      }
      const applied = await store.migrate();
      io.out(
        applied.length === 0
          ? 'database is up to date; nothing to apply'
          : `applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};
