import { SqlTokenVersionStore } from '../sql/sql-token-version.store';
import type { MikroOrmStoreOptions } from './mikro-orm-store.options';
import { MikroOrmSqlRunner } from './mikro-orm-sql.runner';

/** Versions in the app's user table, read and raised with one primary-key statement each. */
export class MikroOrmTokenVersionStore extends SqlTokenVersionStore {
  constructor(options: MikroOrmStoreOptions) {
    super(new MikroOrmSqlRunner(options.em), options.userTable);
  }
}
