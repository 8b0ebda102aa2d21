import { randomInt } from 'node:crypto';
import { JWT_SESSIONS_SQL } from '../../../libs/jwt-revocation/src/sql/jwt-sessions.sql';
import type { SqlDialect } from '../../../libs/jwt-revocation/src/sql/sql-dialect';
import type { TestDatabase } from '../../support/databases';

export const DIALECT_OF = { sqlite: 'sqlite', postgres: 'postgresql', mariadb: 'mysql' } as const satisfies Record<TestDatabase['name'], SqlDialect>;

/** The app's side of the schema in the tests: a user table with an integer `token_version`. */
const USERS_SQL: Record<SqlDialect, string> = {
  postgresql: 'CREATE TABLE users (id integer PRIMARY KEY, token_version integer NOT NULL DEFAULT 0)',
  mysql: 'CREATE TABLE users (id int NOT NULL PRIMARY KEY, token_version int NOT NULL DEFAULT 0)',
  sqlite: 'CREATE TABLE users (id INTEGER PRIMARY KEY, token_version INTEGER NOT NULL DEFAULT 0)',
};

/** Runs the shipped jwt_sessions SQL and creates the test user table. */
export async function migrate(dialect: SqlDialect, run: (sql: string) => PromiseLike<unknown>): Promise<void> {
  for (const statement of [...JWT_SESSIONS_SQL[dialect], USERS_SQL[dialect]]) await run(statement);
}

/** Inserts a user with a random id and version 0; returns the id as tokens carry it. */
export async function insertUser(run: (sql: string) => PromiseLike<unknown>): Promise<string> {
  const id = randomInt(1, 2 ** 31 - 1);
  await run(`INSERT INTO users (id, token_version) VALUES (${id}, 0)`);
  return String(id);
}

/** Ids no integer-keyed user table holds: each must read as "no such user", never as a database error. */
export const MISSING_INTEGER_IDS = ['', 'abc', '1 OR 1=1', '1.5', '99999999999999999999', '0x10', ' 1'];

export function sqlitePath(url: string): string {
  return url.replace(/^sqlite:/, '');
}
