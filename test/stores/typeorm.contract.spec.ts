import { Column, DataSource, Entity, PrimaryColumn, type DataSourceOptions } from 'typeorm';
import { runSessionStoreContract, runTokenVersionStoreContract } from 'nestjs-jwt-revocation/testing';
import {
  AddJwtSessionTokenVersion1764000000000,
  CreateJwtSessions1763900000000,
  JwtSessionEntity,
  TypeOrmSessionStore,
  TypeOrmTokenVersionStore,
} from 'nestjs-jwt-revocation/typeorm';
import { testDatabases, type TestDatabase } from '../support/databases';
import { MISSING_INTEGER_IDS, insertUser, sqlitePath } from './support/sql-fixtures';

@Entity('users')
class ContractUser {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion!: number;
}

function connection(name: TestDatabase['name'], url: string): DataSourceOptions {
  const common = { entities: [JwtSessionEntity, ContractUser], migrations: [CreateJwtSessions1763900000000, AddJwtSessionTokenVersion1764000000000] };
  if (name === 'postgres') return { ...common, type: 'postgres', url, extra: { max: 10 } };
  if (name === 'mariadb') return { ...common, type: 'mysql', url: url.replace(/^mariadb:/, 'mysql:'), extra: { connectionLimit: 10 } };
  return { ...common, type: 'better-sqlite3', database: sqlitePath(url) };
}

/** A fresh database with the shipped migrations run and the app's user table. */
async function open(database: TestDatabase) {
  const created = await database.create();
  const dataSource = await new DataSource(connection(database.name, created.url)).initialize();
  await dataSource.runMigrations();
  await dataSource.query('CREATE TABLE users (id integer NOT NULL PRIMARY KEY, token_version integer NOT NULL DEFAULT 0)');
  return { dataSource, close: () => dataSource.destroy().then(created.drop) };
}

/** Purging two rows per statement, so the contract's purge crosses several batches. */
class SmallPurgeBatches extends TypeOrmSessionStore {
  protected override purgeBatchRows = 2;
}

for (const database of testDatabases()) {
  runSessionStoreContract(`typeorm on ${database.name}`, async () => {
    const { dataSource, close } = await open(database);
    return { store: new TypeOrmSessionStore(dataSource), close };
  });
  runSessionStoreContract(`typeorm on ${database.name}, purge in batches of 2 rows`, async () => {
    const { dataSource, close } = await open(database);
    return { store: new SmallPurgeBatches(dataSource), close };
  });
  runTokenVersionStoreContract(`typeorm on ${database.name}`, async () => {
    const { dataSource, close } = await open(database);
    return {
      store: new TypeOrmTokenVersionStore(dataSource, ContractUser),
      sessions: new TypeOrmSessionStore(dataSource),
      createUser: () => insertUser((sql) => dataSource.query(sql)),
      missingUserIds: MISSING_INTEGER_IDS,
      close,
    };
  });
}
