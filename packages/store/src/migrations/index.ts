import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { Migrator } from 'kysely';
import * as initial from './0001-initial.js';
import * as accounts from './0002-accounts.js';
import * as signIn from './0003-sign-in.js';
import * as deviceCodes from './0004-device-codes.js';
import * as logout from './0005-logout.js';
import * as jwtTokenRows from './0006-jwt-token-rows.js';
import * as dropTokenJtiIndex from './0007-drop-token-jti-index.js';

/**
 * Every migration, by name; names sort in the order they apply. Imported statically rather
 * than found by scanning a folder, so the same registry works from src/ (tsx) and dist/.
 * Add a migration: write `000N-what.ts` beside this file and list it here. Never edit one
 * that has shipped.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-accounts': accounts,
  '0003-sign-in': signIn,
  '0004-device-codes': deviceCodes,
  '0005-logout': logout,
  '0006-jwt-token-rows': jwtTokenRows,
  '0007-drop-token-jti-index': dropTokenJtiIndex,
};

const staticProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

/**
 * Kysely's migrator over the registry. `schema` keeps the bookkeeping tables beside the data
 * in PostgreSQL; without it Kysely's table lookup would see another schema's bookkeeping.
 */
export function createMigrator<DB>(db: Kysely<DB>, schema: string | undefined): Migrator {
  return new Migrator({
    db,
    provider: staticProvider,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
}
