// nestjs-jwt-revocation/drizzle: the stores over the app's Drizzle database (node-postgres,
// mysql2, better-sqlite3, ...), the module that builds them by DI, the jwt_sessions tables and SQL.
export { JwtRevocationDrizzleModule, type JwtRevocationDrizzleOptions } from './jwt-revocation-drizzle.module';
export { DrizzleTokenVersionStore } from './drizzle-token-version.store';
export { DrizzleSessionStore } from './drizzle-session.store';
export type { DrizzleStoreOptions, DrizzleTokenVersionStoreOptions, DrizzleUserTable } from './drizzle-store.options';
export type { DrizzleDatabase } from './drizzle-database';
// The `jwt_sessions` table per SQL family: re-export the one you use from your Drizzle schema so drizzle-kit creates it.
export { jwtSessions as jwtSessionsPg } from './schema/pg';
export { jwtSessions as jwtSessionsMysql } from './schema/mysql';
export { jwtSessions as jwtSessionsSqlite } from './schema/sqlite';
export { JWT_SESSIONS_SQL } from '../sql/jwt-sessions.sql';
