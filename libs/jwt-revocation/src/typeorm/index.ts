// nestjs-jwt-revocation/typeorm: the TypeORM stores and the session entity.
export { JwtSessionEntity } from './jwt-session.entity';
export { TypeOrmTokenVersionStore } from './typeorm-token-version.store';
export { TypeOrmSessionStore } from './typeorm-session.store';
