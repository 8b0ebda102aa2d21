import { PrismaSessionStore, PrismaTokenVersionStore } from 'nestjs-jwt-revocation/prisma';
import { runSessionStoreContract, runTokenVersionStoreContract } from 'nestjs-jwt-revocation/testing';
import { testDatabases, type TestDatabase } from '../support/databases';
import { openPrismaClient } from './prisma/prisma-clients';
import { DIALECT_OF, MISSING_INTEGER_IDS, insertUser, migrate } from './support/sql-fixtures';

async function open(database: TestDatabase) {
  const created = await database.create();
  const base = openPrismaClient(database.name, created.url);
  // An extended client, as apps often pass: the stores must take it just the same.
  const prisma = base.$extends({ query: { $allOperations: ({ args, query }: any) => query(args) } });
  const run = (sql: string) => prisma.$executeRawUnsafe(sql);
  await migrate(DIALECT_OF[database.name], run);
  return { prisma, run, close: () => base.$disconnect().then(created.drop) };
}

for (const database of testDatabases()) {
  runSessionStoreContract(`prisma on ${database.name}`, async () => {
    const { prisma, close } = await open(database);
    return { store: new PrismaSessionStore({ client: prisma }), close };
  });
  runTokenVersionStoreContract(`prisma on ${database.name}`, async () => {
    const { prisma, run, close } = await open(database);
    return {
      store: new PrismaTokenVersionStore({ client: prisma }),
      sessions: new PrismaSessionStore({ client: prisma }),
      createUser: () => insertUser(run),
      missingUserIds: MISSING_INTEGER_IDS,
      close,
    };
  });
}
