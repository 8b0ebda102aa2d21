import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * Counts every SQL statement TypeORM sends, as a cross-check of the library's own `storeReads`
 * counter (TypeORM calls `logQuery` for each query whatever the logging setting).
 */
export class QueryCounter implements TypeOrmLogger {
  queries = 0;

  logQuery(): void {
    this.queries++;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
