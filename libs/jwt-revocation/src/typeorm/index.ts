// nestjs-jwt-revocation/typeorm: the TypeORM stores, the module that builds them from your
// DataSource, the session entity and its migrations.
export { JwtRevocationTypeOrmModule, type JwtRevocationTypeOrmOptions } from './jwt-revocation-typeorm.module';
export { JwtSessionEntity } from './jwt-session.entity';
export { JwtRevocationStateEntity } from './jwt-revocation-state.entity';
export { TypeOrmTokenVersionStore } from './typeorm-token-version.store';
export { TypeOrmSessionStore } from './typeorm-session.store';
export { CreateJwtSessions1763900000000 } from './migrations/create-jwt-sessions.migration';
export { AddJwtSessionTokenVersion1764000000000 } from './migrations/add-jwt-session-token-version.migration';
export { CreateJwtRevocationState1764200000000 } from './migrations/create-jwt-revocation-state.migration';
