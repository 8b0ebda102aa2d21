import { SqlSessionStore } from '../sql/sql-session.store';
import type { MikroOrmStoreOptions } from './mikro-orm-store.options';
import { MikroOrmSqlRunner } from './mikro-orm-sql.runner';

/** Sessions in the `jwt_sessions` table (`JwtSessionEntity`). */
export class MikroOrmSessionStore extends SqlSessionStore {
  constructor(options: Pick<MikroOrmStoreOptions, 'em'>) {
    super(new MikroOrmSqlRunner(options.em));
  }
}
