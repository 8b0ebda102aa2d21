import type { EntityManager } from '@mikro-orm/core';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import type { SqlDialect } from '../sql/sql-dialect';
import type { SqlRunner } from '../sql/sql-runner';

const PLATFORMS: Array<[RegExp, SqlDialect]> = [
  [/postgre/i, 'postgresql'],
  [/mysql|maria/i, 'mysql'],
  [/sqlite/i, 'sqlite'],
];

/** The part of a SQL EntityManager the stores use (any of @mikro-orm/postgresql, mariadb, mysql, sqlite drivers). */
export type MikroOrmSqlEntityManager = Pick<EntityManager, 'getConnection' | 'getPlatform' | 'getTransactionContext'>;

interface SqlConnection {
  execute(sql: string, params?: readonly unknown[], method?: 'all' | 'get' | 'run', ctx?: unknown): Promise<unknown>;
}

/**
 * Runs the stores' SQL on the EntityManager's connection, inside its transaction when it has one.
 * Nothing goes through the identity map, so the global EntityManager can be used from any request.
 */
export class MikroOrmSqlRunner implements SqlRunner {
  readonly dialect: SqlDialect;
  readonly client: MikroOrmSqlEntityManager;

  constructor(private readonly em: MikroOrmSqlEntityManager) {
    this.client = em;
    if (typeof em?.getConnection !== 'function' || typeof em.getPlatform !== 'function') {
      throw new JwtRevocationConfigError('the MikroORM stores were given something that is not an EntityManager', 'Pass the EntityManager of a SQL driver (its injection token in JwtRevocationMikroOrmModule.forFeature()).');
    }
    const platform = em.getPlatform().constructor.name;
    const match = PLATFORMS.find(([pattern]) => pattern.test(platform));
    if (!match) {
      throw new JwtRevocationConfigError(`MikroORM platform ${platform} is not supported`, 'Use a PostgreSQL, MariaDB/MySQL or SQLite driver.');
    }
    this.dialect = match[1];
  }

  async query<Row>(sql: string, params: readonly unknown[]): Promise<Row[]> {
    return (await this.connection().execute(sql, params, 'all', this.em.getTransactionContext())) as Row[];
  }

  async execute(sql: string, params: readonly unknown[]): Promise<number> {
    const result = (await this.connection().execute(sql, params, 'run', this.em.getTransactionContext())) as { affectedRows?: number };
    return result.affectedRows ?? 0;
  }

  private connection(): SqlConnection {
    return this.em.getConnection() as unknown as SqlConnection;
  }
}
