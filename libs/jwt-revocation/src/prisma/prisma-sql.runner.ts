import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { numberedPlaceholders, type SqlDialect } from '../sql/sql-dialect';
import type { SqlRunner } from '../sql/sql-runner';
import type { PrismaRawClient } from './prisma-raw-client';

const PROVIDERS: Record<string, SqlDialect> = { postgresql: 'postgresql', cockroachdb: 'postgresql', mysql: 'mysql', sqlite: 'sqlite' };

/** Runs the stores' SQL through `$queryRawUnsafe` / `$executeRawUnsafe`, values always bound, never inlined. */
export class PrismaSqlRunner implements SqlRunner {
  readonly dialect: SqlDialect;

  constructor(
    readonly client: PrismaRawClient,
    provider?: string,
  ) {
    if (typeof client?.$queryRawUnsafe !== 'function' || typeof client.$executeRawUnsafe !== 'function') {
      throw new JwtRevocationConfigError('the Prisma stores were given something that is not a PrismaClient', 'Pass the token of your PrismaClient provider (e.g. PrismaService).');
    }
    // A generated client knows its provider; the field is not public API, so `provider` overrides it.
    const detected = provider ?? (client as { _activeProvider?: string })._activeProvider;
    const dialect = detected === undefined ? undefined : PROVIDERS[detected];
    if (!dialect) {
      throw new JwtRevocationConfigError(
        `cannot tell the Prisma client's database (provider ${JSON.stringify(detected)})`,
        "Pass `provider: 'postgresql' | 'mysql' | 'sqlite'` in JwtRevocationPrismaModule.forFeature() (or to the stores).",
      );
    }
    this.dialect = dialect;
  }

  async query<Row>(sql: string, params: readonly unknown[]): Promise<Row[]> {
    return this.client.$queryRawUnsafe<Row[]>(this.placeholders(sql), ...params);
  }

  async execute(sql: string, params: readonly unknown[]): Promise<number> {
    return Number(await this.client.$executeRawUnsafe(this.placeholders(sql), ...params));
  }

  private placeholders(sql: string): string {
    return this.dialect === 'postgresql' ? numberedPlaceholders(sql) : sql;
  }
}
