// nestjs-jwt-revocation/typeorm: the TypeORM stores and the session entity.
export { JwtSessionEntity } from './jwt-session.entity';
export { TypeOrmTokenVersionStore } from './typeorm-token-version.store';
export { TypeOrmSessionStore } from './typeorm-session.store';
export { CreateJwtSessions1763900000000 } from './migrations/create-jwt-sessions.migration';
