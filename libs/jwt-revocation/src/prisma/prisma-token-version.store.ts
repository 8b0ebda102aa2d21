import { SqlTokenVersionStore } from '../sql/sql-token-version.store';
import type { PrismaStoreOptions } from './prisma-store.options';
import { PrismaSqlRunner } from './prisma-sql.runner';

/** Versions in the app's user table, read and raised with one primary-key statement each. */
export class PrismaTokenVersionStore extends SqlTokenVersionStore {
  constructor(options: PrismaStoreOptions) {
    super(new PrismaSqlRunner(options.client, options.provider), options.userTable);
  }
}
