// nestjs-jwt-revocation/mikro-orm: the stores over the app's MikroORM (v6) EntityManager, the
// module that builds them by DI, the session entity and its SQL.
export { JwtRevocationMikroOrmModule, type JwtRevocationMikroOrmOptions } from './jwt-revocation-mikro-orm.module';
export { MikroOrmTokenVersionStore } from './mikro-orm-token-version.store';
export { MikroOrmSessionStore } from './mikro-orm-session.store';
export type { MikroOrmStoreOptions } from './mikro-orm-store.options';
export { JwtSessionEntity } from './jwt-session.entity';
export type { MikroOrmSqlEntityManager } from './mikro-orm-sql.runner';
export type { UserTableOptions } from '../sql/sql-token-version.store';
export type { UserIdType } from '../sql/user-id';
export { JWT_SESSIONS_SQL } from '../sql/jwt-sessions.sql';
