import { is } from 'drizzle-orm';
import { MySqlDatabase } from 'drizzle-orm/mysql-core';
import { PgDatabase } from 'drizzle-orm/pg-core';
import { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import type { SqlDialect } from '../sql/sql-dialect';

/** Which SQL family a Drizzle database (or transaction) speaks. */
export function drizzleDialect(db: unknown): SqlDialect {
  if (is(db, PgDatabase)) return 'postgresql';
  if (is(db, MySqlDatabase)) return 'mysql';
  if (is(db, BaseSQLiteDatabase)) return 'sqlite';
  throw new JwtRevocationConfigError('the Drizzle store was given something that is not a Drizzle database', 'Pass the object drizzle() returned.');
}

/**
 * Rows an UPDATE/DELETE changed, whatever the driver: node-postgres `rowCount`, postgres.js
 * `count`, mysql2 `[{ affectedRows }]`, better-sqlite3 `changes`, libsql `rowsAffected`.
 */
export function affectedRows(result: unknown): number {
  const first = Array.isArray(result) ? result[0] : result;
  const r = (first ?? {}) as Record<string, unknown>;
  const fromArray = Array.isArray(result) ? (result as unknown as { count?: unknown }).count : undefined;
  const value = r.rowCount ?? r.affectedRows ?? r.changes ?? r.rowsAffected ?? fromArray;
  if (value === undefined || value === null) throw new Error('the Drizzle driver did not report how many rows changed');
  return Number(value);
}
