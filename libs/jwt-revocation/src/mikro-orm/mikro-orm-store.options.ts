import type { UserTableOptions } from '../sql/sql-token-version.store';
import type { MikroOrmSqlEntityManager } from './mikro-orm-sql.runner';

export interface MikroOrmStoreOptions {
  /** The app's EntityManager (the global one is fine: the stores never touch the identity map). */
  em: MikroOrmSqlEntityManager;
  /** The user table holding `token_version`, with database names. */
  userTable?: UserTableOptions;
}
