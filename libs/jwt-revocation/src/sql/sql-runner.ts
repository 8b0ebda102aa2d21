import type { SqlDialect } from './sql-dialect';

/**
 * The two calls the SQL stores make, over any client (Prisma, MikroORM, ...). Statements are
 * written with `?` placeholders; a runner for a driver that needs `$1` rewrites them.
 */
export interface SqlRunner {
  readonly dialect: SqlDialect;
  /** The client statements go through (optional): stores whose runners share it can join their tables. */
  readonly client?: unknown;
  /** Rows of a SELECT, or of an UPDATE/DELETE ... RETURNING. */
  query<Row>(sql: string, params: readonly unknown[]): Promise<Row[]>;
  /** How many rows an INSERT, UPDATE or DELETE changed. */
  execute(sql: string, params: readonly unknown[]): Promise<number>;
}
