import { Logger } from '@nestjs/common';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { TokenVersionStore, VersionAndSessionReader } from '../revocation/token-version-store.interface';
import type { SessionStore } from '../sessions/session-store.interface';
import { versionAndSessionOf, type VersionAndSessionRow } from '../sql/version-and-session.row';
import { JwtSessionEntity } from './jwt-session.entity';
import { TypeOrmSessionStore } from './typeorm-session.store';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { REVOKED_BEFORE_ROW } from './jwt-revocation-state.entity';

const logger = new Logger('JwtRevocation');

/**
 * Reads and raises the version column of your user entity. The read is one indexed
 * primary-key query built once at startup, never an entity load.
 */
export class TypeOrmTokenVersionStore implements TokenVersionStore {
  private readonly selectSql: string;
  private readonly primaryProperty: string;
  private readonly versionProperty: string;
  private readonly incrementExpression: string;
  private readonly isValidId: (userId: string) => boolean;
  private warnedMissingTable = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly entity: EntityTarget<ObjectLiteral>,
    versionColumn = 'tokenVersion',
  ) {
    const metadata = dataSource.getMetadata(entity);
    const column = metadata.findColumnWithPropertyPath(versionColumn);
    if (!column) {
      throw new JwtRevocationConfigError(
        `entity ${metadata.name} has no column "${versionColumn}"`,
        `Add \`@Column({ type: 'integer', default: 0 }) ${versionColumn}: number\` to it, or set \`versionColumn\` in JwtRevocationTypeOrmModule.forFeature().`,
      );
    }
    if (metadata.primaryColumns.length !== 1) {
      throw new JwtRevocationConfigError(`entity ${metadata.name} needs exactly one primary column`, 'Use a single-column primary key for users.');
    }
    this.primaryProperty = metadata.primaryColumns[0].propertyPath;
    this.isValidId = idValidatorFor(metadata.primaryColumns[0].type);
    this.versionProperty = column.propertyPath;
    this.incrementExpression = `${dataSource.driver.escape(column.databaseName)} + 1`;
    [this.selectSql] = dataSource
      .createQueryBuilder()
      .select(`u.${this.versionProperty}`, 'version')
      .from(entity, 'u')
      .where(`u.${this.primaryProperty} = :id`, { id: '' })
      .getQueryAndParameters();
  }

  async getVersion(userId: string): Promise<number | null> {
    // An id the column cannot hold names no user; never let the database coerce or reject it.
    if (!this.isValidId(userId)) return null;
    const rows: Array<{ version: number | string }> = await this.dataSource.query(this.selectSql, [userId]);
    return rows.length === 0 ? null : Number(rows[0].version);
  }

  /** One statement for the version and the session, when `sessions` is the TypeORM store on the same DataSource. */
  readerWithSessions(sessions: SessionStore): VersionAndSessionReader | undefined {
    if (!(sessions instanceof TypeOrmSessionStore) || !sessions.usesDataSource(this.dataSource)) return undefined;
    const users = this.dataSource.getMetadata(this.entity);
    const table = this.dataSource.getMetadata(JwtSessionEntity);
    const q = (name: string) => this.dataSource.driver.escape(name);
    const column = (property: string) => q(table.findColumnWithPropertyPath(property)!.databaseName);
    const userColumn = (property: string) => q(users.findColumnWithPropertyPath(property)!.databaseName);
    // Two primary-key lookups in one statement; no user row, no row at all.
    const [sql] = this.dataSource.driver.escapeQueryWithParameters(
      `SELECT u.${userColumn(this.versionProperty)} AS version, s.${column('userId')} AS session_user_id, ` +
        `s.${column('revokedAt')} AS revoked_at, s.${column('expiresAt')} AS expires_at, s.${column('idleExpiresAt')} AS idle_expires_at ` +
        `FROM ${this.dataSource.driver.escape(users.tablePath)} u LEFT JOIN ${q(table.tablePath)} s ON s.${column('id')} = :sessionId ` +
        `WHERE u.${userColumn(this.primaryProperty)} = :userId`,
      { sessionId: '', userId: '' },
    );
    return async (userId, sessionId) => {
      if (!this.isValidId(userId)) return { version: null, session: null };
      const rows: VersionAndSessionRow[] = await this.dataSource.query(sql, [sessionId, userId]);
      return rows.length === 0 ? { version: null, session: null } : versionAndSessionOf(rows[0]);
    };
  }

  async incrementVersion(userId: string): Promise<boolean> {
    if (!this.isValidId(userId)) return false;
    // One UPDATE computing the new value in the database: concurrent calls never lose a step.
    const result = await this.dataSource
      .createQueryBuilder()
      .update(this.entity)
      .set({ [this.versionProperty]: () => this.incrementExpression })
      .where({ [this.primaryProperty]: userId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * The `logoutEveryone()` cutoff from `jwt_revocation_state` (migration
   * `CreateJwtRevocationState1764200000000`). Without that table no cutoff can have been stored,
   * so the answer is 0 (with a warning): upgrading the library never turns every request into a 503.
   */
  async getRevokedBefore(): Promise<number> {
    const [sql, parameters] = this.stateQuery('SELECT value FROM jwt_revocation_state WHERE name = :name', {});
    let rows: Array<{ value: number | string }>;
    try {
      rows = await this.dataSource.query(sql, parameters);
    } catch (error) {
      if (!isMissingTable(error)) throw error;
      if (!this.warnedMissingTable) {
        this.warnedMissingTable = true;
        logger.warn('Table jwt_revocation_state is missing: logoutEveryone() is unavailable until CreateJwtRevocationState1764200000000 runs.');
      }
      return 0;
    }
    return rows.length === 0 ? 0 : Number(rows[0].value);
  }

  /** Raises the cutoff in one conditional UPDATE (never lowers it); inserts the row if a synchronize-built table lacks it. */
  async setRevokedBefore(at: number): Promise<void> {
    const [update, updateParameters] = this.stateQuery('UPDATE jwt_revocation_state SET value = :at WHERE name = :name AND value < :at', { at });
    try {
      await this.dataSource.query(update, updateParameters);
    } catch (error) {
      if (!isMissingTable(error)) throw error;
      throw new JwtRevocationConfigError(
        'logoutEveryone() needs the table jwt_revocation_state',
        'Add CreateJwtRevocationState1764200000000 to your migrations (or JwtRevocationStateEntity to your entities with synchronize).',
      );
    }
    if ((await this.getRevokedBefore()) >= at) return;
    const [insert, insertParameters] = this.stateQuery('INSERT INTO jwt_revocation_state (name, value) VALUES (:name, :at)', { at });
    await this.dataSource.query(insert, insertParameters);
  }

  private stateQuery(sql: string, parameters: Record<string, unknown>): [string, unknown[]] {
    return this.dataSource.driver.escapeQueryWithParameters(sql, { ...parameters, name: REVOKED_BEFORE_ROW });
  }
}

const INT32_TYPES = new Set(['int', 'integer', 'int4', 'mediumint', 'smallint', 'int2', 'tinyint']);
const INT64_TYPES = new Set(['bigint', 'int8']);
const DECIMAL_INTEGER = /^(0|-?[1-9]\d{0,18})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a user id must look like for the primary column's type. */
function idValidatorFor(type: unknown): (userId: string) => boolean {
  const name = typeof type === 'function' ? (type === Number ? 'integer' : type.name.toLowerCase()) : String(type).toLowerCase();
  if (INT32_TYPES.has(name)) return (id) => DECIMAL_INTEGER.test(id) && Math.abs(Number(id)) <= 2 ** 31 - 1;
  if (INT64_TYPES.has(name)) return (id) => DECIMAL_INTEGER.test(id) && BigInt(id) <= 2n ** 63n - 1n && BigInt(id) >= -(2n ** 63n);
  if (name === 'uuid') return (id) => UUID.test(id);
  return (id) => id.length > 0 && id.length <= 255;
}

/** "No such table" on SQLite, PostgreSQL (42P01) and MySQL/MariaDB (1146), as TypeORM passes it on. */
function isMissingTable(error: unknown): boolean {
  const { code, errno, driverError, message } = (error ?? {}) as { code?: unknown; errno?: unknown; driverError?: { code?: unknown; errno?: unknown }; message?: unknown };
  if (code === '42P01' || driverError?.code === '42P01') return true;
  if (errno === 1146 || driverError?.errno === 1146 || code === 'ER_NO_SUCH_TABLE' || driverError?.code === 'ER_NO_SUCH_TABLE') return true;
  return typeof message === 'string' && /no such table: jwt_revocation_state/.test(message);
}
