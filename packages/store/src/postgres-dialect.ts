import type { DatabaseIntrospector, PostgresDialectConfig, PostgresPool, PostgresPoolClient } from 'kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { SchemaScopedIntrospector } from './postgres-introspector.js';
import type { PreparedStatements } from './prepared-query.js';
import type { Database } from './schema.js';

export interface PostgresKyselyOptions {
  url: string;
  poolSize: number;
  schema: string;
}

const INT8_OID = 20;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Builds the pool (with its own type parsers and search_path) and Kysely over it. */
export function createPostgresKysely(
  options: PostgresKyselyOptions,
  statements: PreparedStatements,
): Kysely<Database> {
  if (!SCHEMA_NAME.test(options.schema)) {
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(options.schema)}: use [a-z_][a-z0-9_]*`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    // Set at connection start-up rather than by a SET after connecting: no extra round trip,
    // and no window in which a fresh connection could run a query against the wrong schema.
    options: `-c search_path=${options.schema}`,
    // Times are bigint columns; parse int8 to number on this pool only, so the process-wide
    // parsers other libraries rely on stay untouched.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that dies (server restart, network blip) is dropped by the pool and
  // reported here; without a listener Node would crash the whole process over it. The next
  // query opens a new connection, and ping() reports a database that is really gone.
  pool.on('error', () => {});
  return new Kysely<Database>({
    dialect: new SchemaScopedPostgresDialect({ pool: namedStatementPool(pool, statements) }, options.schema),
  });
}

class SchemaScopedPostgresDialect extends PostgresDialect {
  readonly #schema: string;

  constructor(config: PostgresDialectConfig, schema: string) {
    super(config);
    this.#schema = schema;
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaScopedIntrospector(db, this.#schema);
  }
}

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} does not fit a JS number`);
  return value;
}

/**
 * The pool in the shape Kysely wants, running registered (hot-path) SQL as named prepared
 * statements so each connection parses and plans them once; pg keeps track of which
 * connection has prepared which name.
 */
function namedStatementPool(pool: pg.Pool, statements: PreparedStatements): PostgresPool {
  // Kysely keys its per-connection state by client object, so hand it the same wrapper
  // every time a pooled connection comes back.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    // The two overloads (text or cursor) cannot be expressed by one implementation's type.
    query: ((sqlOrCursor: string | pg.Submittable, parameters?: ReadonlyArray<unknown>) => {
      if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor);
      const name = statements.nameOf(sqlOrCursor);
      const values = parameters ? [...parameters] : [];
      return name === undefined
        ? client.query(sqlOrCursor, values)
        : client.query({ name, text: sqlOrCursor, values });
    }) as unknown as PostgresPoolClient['query'],
    release: (destroy) => client.release(destroy),
  });
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = wrap(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
