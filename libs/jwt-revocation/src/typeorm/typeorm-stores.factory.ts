import type { ModuleRef } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { TypeOrmVersionSource } from '../jwt-revocation.options';
import { TypeOrmTokenVersionStore } from './typeorm-token-version.store';
import { TypeOrmSessionStore } from './typeorm-session.store';

/** Finds the app's DataSource (default or named) the way @nestjs/typeorm registers it. */
export function findDataSource(moduleRef: ModuleRef, source: TypeOrmVersionSource): DataSource {
  return moduleRef.get<DataSource>(getDataSourceToken(source.dataSource), { strict: false });
}

export function createTypeOrmVersionStore(moduleRef: ModuleRef, source: TypeOrmVersionSource): TypeOrmTokenVersionStore {
  return new TypeOrmTokenVersionStore(findDataSource(moduleRef, source), source.entity, source.versionColumn);
}

export function createTypeOrmSessionStore(moduleRef: ModuleRef, source: TypeOrmVersionSource): TypeOrmSessionStore {
  return new TypeOrmSessionStore(findDataSource(moduleRef, source));
}
