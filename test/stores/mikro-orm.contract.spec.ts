import { BetterSqliteDriver, MikroORM as BetterSqliteOrm } from '@mikro-orm/better-sqlite';
import type { MikroORM, Options } from '@mikro-orm/core';
import { MariaDbDriver, MikroORM as MariaDbOrm } from '@mikro-orm/mariadb';
import { PostgreSqlDriver, MikroORM as PostgreSqlOrm } from '@mikro-orm/postgresql';
import { JwtSessionEntity, MikroOrmSessionStore, MikroOrmTokenVersionStore } from 'nestjs-jwt-revocation/mikro-orm';
import { runSessionStoreContract, runTokenVersionStoreContract } from 'nestjs-jwt-revocation/testing';
import { testDatabases, type TestDatabase } from '../support/databases';
import { DIALECT_OF, MISSING_INTEGER_IDS, insertUser, migrate, sqlitePath } from './support/sql-fixtures';

async function init(name: TestDatabase['name'], url: string): Promise<MikroORM> {
  const common: Partial<Options> = { entities: [JwtSessionEntity], debug: false, pool: { min: 0, max: 10 } };
  if (name === 'postgres') return PostgreSqlOrm.init({ ...common, driver: PostgreSqlDriver, clientUrl: url });
  if (name === 'mariadb') return MariaDbOrm.init({ ...common, driver: MariaDbDriver, clientUrl: url.replace(/^mariadb:/, 'mysql:') });
  return BetterSqliteOrm.init({ ...common, driver: BetterSqliteDriver, dbName: sqlitePath(url) });
}

async function open(database: TestDatabase) {
  const created = await database.create();
  const orm = await init(database.name, created.url);
  // The shipped entity creates jwt_sessions (the schema generator, as an app's migrations would);
  // the shipped SQL then finds it there (IF NOT EXISTS) and adds the test user table.
  await orm.schema.createSchema();
  const run = (sql: string) => orm.em.getConnection().execute(sql, [], 'run');
  await migrate(DIALECT_OF[database.name], run);
  return { orm, run, close: () => orm.close(true).then(created.drop) };
}

/** The shared SQL store purging two rows per statement, so the contract's purge crosses several batches. */
class SmallPurgeBatches extends MikroOrmSessionStore {
  protected override purgeBatchRows = 2;
}

for (const database of testDatabases()) {
  runSessionStoreContract(`mikro-orm on ${database.name}`, async () => {
    const { orm, close } = await open(database);
    return { store: new MikroOrmSessionStore({ em: orm.em }), close };
  });
  runSessionStoreContract(`mikro-orm on ${database.name}, purge in batches of 2 rows`, async () => {
    const { orm, close } = await open(database);
    return { store: new SmallPurgeBatches({ em: orm.em }), close };
  });
  runTokenVersionStoreContract(`mikro-orm on ${database.name}`, async () => {
    const { orm, run, close } = await open(database);
    return {
      store: new MikroOrmTokenVersionStore({ em: orm.em }),
      sessions: new MikroOrmSessionStore({ em: orm.em }),
      createUser: () => insertUser(run),
      missingUserIds: MISSING_INTEGER_IDS,
      close,
    };
  });
}
