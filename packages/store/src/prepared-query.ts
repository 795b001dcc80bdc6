import type { Compilable, CompiledQuery } from 'kysely';

/**
 * The SQL texts of the hot-path queries. Dialects keep these prepared on each connection
 * (better-sqlite3 Statement objects; PostgreSQL named statements, parsed and planned once per
 * connection); everything else is prepared per call. Registering only known texts keeps the
 * cache bounded.
 */
export class PreparedStatements {
  readonly #names = new Map<string, string>();

  register(sql: string): void {
    if (!this.#names.has(sql)) this.#names.set(sql, `gatehouse_${this.#names.size + 1}`);
  }

  /** The statement name for a registered SQL text, or undefined for ad-hoc queries. */
  nameOf(sql: string): string | undefined {
    return this.#names.get(sql);
  }
}

class Slot {
  constructor(readonly name: string) {}
}

/** Placeholder for a named argument while the query is built once. */
export type Arg<A> = <K extends keyof A & string>(name: K) => A[K];

/**
 * Builds and compiles a query once and returns a function that only binds arguments.
 * Measured on SQLite, building and compiling through Kysely costs more than the indexed
 * lookup itself; hot paths (thousands of calls a second) skip that work this way.
 *
 * @example
 * const findToken = prepareQuery<{ digest: string }, TokenRow>(statements, (arg) =>
 *   db.selectFrom('tokens').select([...]).where('digest', '=', arg('digest')));
 * await db.executeQuery(findToken({ digest }));
 */
export function prepareQuery<A, R>(
  statements: PreparedStatements,
  build: (arg: Arg<A>) => Compilable<R>,
): (args: A) => CompiledQuery<R> {
  const compiled = build(((name: string) => new Slot(name)) as unknown as Arg<A>).compile();
  statements.register(compiled.sql);
  const bindings = compiled.parameters.map((value) =>
    value instanceof Slot ? (args: A) => args[value.name as keyof A] : () => value,
  );
  return (args) => ({
    query: compiled.query,
    queryId: compiled.queryId,
    sql: compiled.sql,
    parameters: bindings.map((bind) => bind(args)),
  });
}
