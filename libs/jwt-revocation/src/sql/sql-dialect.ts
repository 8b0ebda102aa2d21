/** The SQL databases the stores speak; MariaDB counts as `mysql`. */
export type SqlDialect = 'postgresql' | 'mysql' | 'sqlite';

export function quoteIdentifier(dialect: SqlDialect, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`"${name}" is not a plain SQL identifier`);
  return dialect === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

/** Rewrites `?` placeholders as `$1, $2, ...` for PostgreSQL drivers that need them. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
