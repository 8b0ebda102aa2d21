import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { int, mysqlTable } from 'drizzle-orm/mysql-core';
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { integer as pgInteger, pgTable } from 'drizzle-orm/pg-core';
import { integer as sqliteInteger, sqliteTable } from 'drizzle-orm/sqlite-core';
import { createPool } from 'mysql2/promise';
import { Pool } from 'pg';
import { DrizzleSessionStore, DrizzleTokenVersionStore, type DrizzleDatabase, type DrizzleUserTable } from 'nestjs-jwt-revocation/drizzle';
import { runSessionStoreContract, runTokenVersionStoreContract } from 'nestjs-jwt-revocation/testing';
import { testDatabases, type TestDatabase } from '../support/databases';
import { DIALECT_OF, MISSING_INTEGER_IDS, insertUser, migrate, sqlitePath } from './support/sql-fixtures';

// The app's own user tables, as a Drizzle app declares them.
const pgUsers = pgTable('users', { id: pgInteger('id').primaryKey(), tokenVersion: pgInteger('token_version').notNull().default(0) });
const mysqlUsers = mysqlTable('users', { id: int('id').primaryKey(), tokenVersion: int('token_version').notNull().default(0) });
const sqliteUsers = sqliteTable('users', { id: sqliteInteger('id').primaryKey(), tokenVersion: sqliteInteger('token_version').notNull().default(0) });

interface Opened {
  db: DrizzleDatabase;
  userTable: DrizzleUserTable;
  run(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

async function open(database: TestDatabase): Promise<Opened> {
  const created = await database.create();
  const opened = connect(database.name, created.url);
  await migrate(DIALECT_OF[database.name], opened.run);
  return { ...opened, close: () => opened.close().then(created.drop) };
}

function connect(name: TestDatabase['name'], url: string): Opened {
  if (name === 'postgres') {
    const pool = new Pool({ connectionString: url, max: 10 });
    // The database is dropped WITH (FORCE) at the end: a client still closing is terminated then, which is expected.
    pool.on('error', () => undefined);
    const userTable = { table: pgUsers, id: pgUsers.id, version: pgUsers.tokenVersion };
    return { db: drizzlePg(pool), userTable, run: (sql) => pool.query(sql), close: () => pool.end() };
  }
  if (name === 'mariadb') {
    const pool = createPool({ uri: url.replace(/^mariadb:/, 'mysql:'), connectionLimit: 10 });
    const userTable = { table: mysqlUsers, id: mysqlUsers.id, version: mysqlUsers.tokenVersion };
    return { db: drizzleMysql(pool), userTable, run: (sql) => pool.query(sql), close: () => pool.end() };
  }
  const sqlite = new Database(sqlitePath(url));
  sqlite.pragma('journal_mode = WAL');
  const userTable = { table: sqliteUsers, id: sqliteUsers.id, version: sqliteUsers.tokenVersion };
  return { db: drizzleSqlite(sqlite), userTable, run: async (sql) => sqlite.exec(sql), close: async () => void sqlite.close() };
}

for (const database of testDatabases()) {
  runSessionStoreContract(`drizzle on ${database.name}`, async () => {
    const { db, close } = await open(database);
    return { store: new DrizzleSessionStore({ db }), close };
  });
  runTokenVersionStoreContract(`drizzle on ${database.name}`, async () => {
    const { db, userTable, run, close } = await open(database);
    return {
      store: new DrizzleTokenVersionStore({ db, userTable }),
      sessions: new DrizzleSessionStore({ db }),
      createUser: () => insertUser(run),
      missingUserIds: MISSING_INTEGER_IDS,
      close,
    };
  });
}
