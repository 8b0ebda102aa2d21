import type { ModuleRef } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { TypeOrmVersionSource } from '../jwt-revocation.options';
import type { TokenVersionStore } from '../stores/token-version-store.interface';
import type { SessionStore } from '../stores/session-store.interface';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { TypeOrmTokenVersionStore } from './typeorm-token-version.store';
import { TypeOrmSessionStore } from './typeorm-session.store';

/**
 * The app's DataSource may still be connecting when this module's providers are built, so the
 * stores bind to it in `onModuleInit` (after every provider exists, before the app listens);
 * a wrong entity or column still fails the startup.
 */
function bindOnInit<T extends object>(create: (dataSource: DataSource) => T, moduleRef: ModuleRef, source: TypeOrmVersionSource): T {
  let target: T | undefined;
  const init = () => {
    const dataSource = moduleRef.get<DataSource>(getDataSourceToken(source.dataSource), { strict: false });
    if (!dataSource) {
      throw new JwtRevocationConfigError('no TypeORM DataSource found', 'Import TypeOrmModule.forRoot() in the app, or pass your own stores.');
    }
    target = create(dataSource);
  };
  return new Proxy({} as T, {
    get(_, property) {
      if (property === 'onModuleInit') return init;
      if (property === 'then') return undefined; // not a thenable: Nest awaits factory results
      if (!target) init();
      const value = (target as Record<string | symbol, unknown>)[property];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function createTypeOrmVersionStore(moduleRef: ModuleRef, source: TypeOrmVersionSource): TokenVersionStore {
  return bindOnInit((dataSource) => new TypeOrmTokenVersionStore(dataSource, source.entity, source.versionColumn), moduleRef, source);
}

export function createTypeOrmSessionStore(moduleRef: ModuleRef, source: TypeOrmVersionSource): SessionStore {
  return bindOnInit((dataSource) => new TypeOrmSessionStore(dataSource), moduleRef, source);
}
