import type { UserTableOptions } from '../sql/sql-token-version.store';
import type { PrismaRawClient } from './prisma-raw-client';

/** The databases the Prisma stores speak; MariaDB is `mysql`, as in a Prisma schema. */
export type PrismaProvider = 'postgresql' | 'mysql' | 'sqlite' | 'cockroachdb';

export interface PrismaStoreOptions {
  /** The app's PrismaClient (an extended or transaction client works too). */
  client: PrismaRawClient;
  /** The schema's datasource provider; read from the client when omitted. */
  provider?: PrismaProvider;
  /** The user table holding `token_version`, with database (not Prisma field) names. */
  userTable?: UserTableOptions;
}
