import type { Column, Table } from 'drizzle-orm';
import type { DrizzleDatabase } from './drizzle-database';

/** The app's user table and its two columns, as Drizzle objects: `{ table: users, id: users.id, version: users.tokenVersion }`. */
export interface DrizzleUserTable {
  table: Table;
  id: Column;
  version: Column;
}

export interface DrizzleStoreOptions {
  /** The app's Drizzle database (what `drizzle()` returned), or a transaction of it. */
  db: DrizzleDatabase;
}

export interface DrizzleTokenVersionStoreOptions extends DrizzleStoreOptions {
  userTable: DrizzleUserTable;
}
