import { Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { TypeOrmTokenVersionStore } from './typeorm-token-version.store';
import { TypeOrmSessionStore } from './typeorm-session.store';

/** Where users' token versions live, and which DataSource holds them and the sessions. */
export interface JwtRevocationTypeOrmOptions {
  /** The user entity class. */
  userEntity: EntityTarget<ObjectLiteral>;
  /** Property holding the integer version. Default `tokenVersion`. */
  versionColumn?: string;
  /** Name of the TypeORM DataSource (as given to `TypeOrmModule.forRoot`) when not the default one. */
  dataSource?: string;
}

/**
 * The TypeORM stores as Nest providers, built from the app's DataSource by DI (so they exist only
 * once it is connected, and a wrong entity or column fails the startup). Import it where
 * `JwtRevocationModule.forRootAsync` can inject them:
 *
 * ```ts
 * JwtRevocationModule.forRootAsync({
 *   imports: [JwtRevocationTypeOrmModule.forFeature({ userEntity: User })],
 *   inject: [TypeOrmTokenVersionStore, TypeOrmSessionStore],
 *   useFactory: (tokenVersionStore, sessionStore) => ({ secret, tokenVersionStore, sessionStore }),
 * })
 * ```
 */
@Module({})
export class JwtRevocationTypeOrmModule {
  static forFeature(options: JwtRevocationTypeOrmOptions): DynamicModule {
    const dataSourceToken = getDataSourceToken(options.dataSource);
    return {
      module: JwtRevocationTypeOrmModule,
      providers: [
        {
          provide: TypeOrmTokenVersionStore,
          useFactory: (dataSource: DataSource) => new TypeOrmTokenVersionStore(dataSource, options.userEntity, options.versionColumn),
          inject: [dataSourceToken],
        },
        {
          provide: TypeOrmSessionStore,
          useFactory: (dataSource: DataSource) => new TypeOrmSessionStore(dataSource),
          inject: [dataSourceToken],
        },
      ],
      exports: [TypeOrmTokenVersionStore, TypeOrmSessionStore],
    };
  }
}
