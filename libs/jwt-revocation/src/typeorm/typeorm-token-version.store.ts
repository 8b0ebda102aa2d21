import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { TokenVersionStore } from '../stores/token-version-store.interface';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';

/**
 * Reads and raises the version column of your user entity. The read is one indexed
 * primary-key query built once at startup, never an entity load.
 */
export class TypeOrmTokenVersionStore implements TokenVersionStore {
  private readonly selectSql: string;
  private readonly primaryProperty: string;
  private readonly versionProperty: string;
  private readonly incrementExpression: string;

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
        `Add \`@Column({ type: 'integer', default: 0 }) ${versionColumn}: number\` to it, or set typeorm.versionColumn.`,
      );
    }
    if (metadata.primaryColumns.length !== 1) {
      throw new JwtRevocationConfigError(`entity ${metadata.name} needs exactly one primary column`, 'Use a single-column primary key for users.');
    }
    this.primaryProperty = metadata.primaryColumns[0].propertyPath;
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
    const rows: Array<{ version: number | string }> = await this.dataSource.query(this.selectSql, [userId]);
    return rows.length === 0 ? null : Number(rows[0].version);
  }

  async incrementVersion(userId: string): Promise<boolean> {
    // One UPDATE computing the new value in the database: concurrent calls never lose a step.
    const result = await this.dataSource
      .createQueryBuilder()
      .update(this.entity)
      .set({ [this.versionProperty]: () => this.incrementExpression })
      .where({ [this.primaryProperty]: userId })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
