import { SqlSessionStore } from '../sql/sql-session.store';
import type { PrismaStoreOptions } from './prisma-store.options';
import { PrismaSqlRunner } from './prisma-sql.runner';

/** Sessions in the `jwt_sessions` table (model `JwtSession`, see JWT_SESSION_PRISMA_MODEL). */
export class PrismaSessionStore extends SqlSessionStore {
  constructor(options: Pick<PrismaStoreOptions, 'client' | 'provider'>) {
    super(new PrismaSqlRunner(options.client, options.provider));
  }
}
