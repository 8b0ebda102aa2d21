import { EntityManager } from '@mikro-orm/core';
import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import type { UserTableOptions } from '../sql/sql-token-version.store';
import type { MikroOrmSqlEntityManager } from './mikro-orm-sql.runner';
import { MikroOrmSessionStore } from './mikro-orm-session.store';
import { MikroOrmTokenVersionStore } from './mikro-orm-token-version.store';

export interface JwtRevocationMikroOrmOptions {
  /**
   * The provider of the EntityManager to use. Default `EntityManager` from @mikro-orm/core, which
   * @mikro-orm/nestjs provides (per request through its RequestContext); for a second database,
   * its contextName token.
   */
  entityManager?: InjectionToken;
  /** Modules to import so `entityManager` can be injected, when its module is not global. */
  imports?: ModuleMetadata['imports'];
  /** The user table holding `token_version`, with database names. Default `users` / `id` / `token_version`, integer ids. */
  userTable?: UserTableOptions;
}

/**
 * The MikroORM stores as Nest providers, built from the app's EntityManager by DI:
 *
 * ```ts
 * JwtRevocationModule.forRootAsync({
 *   imports: [JwtRevocationMikroOrmModule.forFeature({ userTable: { table: 'user' } })],
 *   inject: [MikroOrmTokenVersionStore, MikroOrmSessionStore],
 *   useFactory: (tokenVersionStore, sessionStore) => ({ secret, tokenVersionStore, sessionStore }),
 * })
 * ```
 */
@Module({})
export class JwtRevocationMikroOrmModule {
  static forFeature(options: JwtRevocationMikroOrmOptions = {}): DynamicModule {
    const entityManager = options.entityManager ?? EntityManager;
    return {
      module: JwtRevocationMikroOrmModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: MikroOrmTokenVersionStore,
          useFactory: (em: MikroOrmSqlEntityManager) => new MikroOrmTokenVersionStore({ em, userTable: options.userTable }),
          inject: [entityManager],
        },
        {
          provide: MikroOrmSessionStore,
          useFactory: (em: MikroOrmSqlEntityManager) => new MikroOrmSessionStore({ em }),
          inject: [entityManager],
        },
      ],
      exports: [MikroOrmTokenVersionStore, MikroOrmSessionStore],
    };
  }
}
