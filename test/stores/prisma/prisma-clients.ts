import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaPg } from '@prisma/adapter-pg';
import type { PrismaRawClient } from 'nestjs-jwt-revocation/prisma';
import type { TestDatabase } from '../../support/databases';
import { sqlitePath } from '../support/sql-fixtures';

/** What the tests use of a generated PrismaClient. */
export interface TestPrismaClient extends PrismaRawClient {
  $disconnect(): Promise<void>;
  $extends(extension: object): TestPrismaClient;
}

/**
 * A PrismaClient on the database, through Prisma 7's driver adapters. Each provider has its own
 * generated client (generate-clients.js, the jest globalSetup), as each app has one; required
 * lazily so a run that needs none of them does not load them.
 */
export function openPrismaClient(name: TestDatabase['name'], url: string): TestPrismaClient {
  if (name === 'postgres') {
    const { PrismaClient } = require('./generated/postgresql/client/client');
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  }
  if (name === 'mariadb') {
    const { PrismaClient } = require('./generated/mysql/client/client');
    const u = new URL(url);
    const adapter = new PrismaMariaDb({ host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), database: u.pathname.slice(1), connectionLimit: 10 });
    return new PrismaClient({ adapter });
  }
  const { PrismaClient } = require('./generated/sqlite/client/client');
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${sqlitePath(url)}` }) });
}
