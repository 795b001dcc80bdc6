import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { DatabaseConnection, DialectAdapter, Driver, SqliteDatabase, SqliteStatement } from 'kysely';
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import type { PreparedStatements } from './prepared-query.js';
import type { Database } from './schema.js';

export interface SqliteKysely {
  db: Kysely<Database>;
  /** Runs a read on the connection at once, without Kysely's connection queue. */
  readRows: (query: CompiledQuery) => unknown[];
}

/** Opens the SQLite file (creating its directory) and builds the Kysely instance over it. */
export function createSqliteKysely(file: string, statements: PreparedStatements): SqliteKysely {
  if (file !== ':memory:' && !file.startsWith('file:')) mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  try {
    // busy_timeout first: switching to WAL needs a lock that another process may hold.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    // FULL, not WAL's usual NORMAL: a commit is synced before it returns, so "resolved" means
    // "survives power loss" (tokens.insert promises exactly that).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  const database = cachingDatabase(db, statements);
  return {
    db: new Kysely<Database>({ dialect: new GatehouseSqliteDialect({ database }) }),
    // better-sqlite3 is synchronous and the connection is one per process, so a read needs no
    // queue: under load, the queue's promise hops cost several times the indexed lookup.
    readRows: (query) => database.prepare(query.sql).all(query.parameters as unknown[]) as unknown[],
  };
}

/** better-sqlite3 in the shape Kysely wants, keeping registered statements prepared. */
function cachingDatabase(db: BetterSqlite3.Database, statements: PreparedStatements): SqliteDatabase {
  const prepared = new Map<string, SqliteStatement>();
  return {
    prepare(sql) {
      const cached = prepared.get(sql);
      if (cached) return cached;
      const statement = db.prepare(sql);
      if (statements.nameOf(sql) !== undefined) prepared.set(sql, statement);
      return statement;
    },
    close: () => db.close(),
  };
}

class GatehouseSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];

  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlAdapter();
  }
}

/**
 * Every transaction we open writes, so take the write lock at BEGIN. A deferred BEGIN that
 * later upgrades fails at once with SQLITE_BUSY in WAL mode when another process wrote in
 * between (busy_timeout does not apply); BEGIN IMMEDIATE waits for the lock instead.
 */
class ImmediateTransactionDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Kysely runs SQLite migrations outside a transaction and without a lock, so two processes
 * starting together could both apply a migration. SQLite's DDL is transactional: running the
 * migrator inside one BEGIN IMMEDIATE transaction makes the bookkeeping check and the
 * migration one atomic step that other processes wait for.
 */
class TransactionalDdlAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
