import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import type { DrizzleDatabase } from './drizzle-database';
import { DrizzleSessionStore } from './drizzle-session.store';
import type { DrizzleUserTable } from './drizzle-store.options';
import { DrizzleTokenVersionStore } from './drizzle-token-version.store';

export interface JwtRevocationDrizzleOptions {
  /**
   * The provider of the app's Drizzle database (what `drizzle()` returned): its token, e.g. the one
   * your DrizzleModule registers. A token, not an instance, so a second database works too.
   */
  drizzle: InjectionToken;
  /** Modules to import so `drizzle` can be injected, when its module is not global. */
  imports?: ModuleMetadata['imports'];
  /** The app's user table: `{ table: users, id: users.id, version: users.tokenVersion }`. */
  userTable: DrizzleUserTable;
}

/**
 * The Drizzle stores as Nest providers, built from the app's Drizzle database by DI:
 *
 * ```ts
 * JwtRevocationModule.forRootAsync({
 *   imports: [JwtRevocationDrizzleModule.forFeature({ drizzle: DRIZZLE, userTable: { table: users, id: users.id, version: users.tokenVersion } })],
 *   inject: [DrizzleTokenVersionStore, DrizzleSessionStore],
 *   useFactory: (tokenVersionStore, sessionStore) => ({ secret, tokenVersionStore, sessionStore }),
 * })
 * ```
 */
@Module({})
export class JwtRevocationDrizzleModule {
  static forFeature(options: JwtRevocationDrizzleOptions): DynamicModule {
    return {
      module: JwtRevocationDrizzleModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: DrizzleTokenVersionStore,
          useFactory: (db: DrizzleDatabase) => new DrizzleTokenVersionStore({ db, userTable: options.userTable }),
          inject: [options.drizzle],
        },
        {
          provide: DrizzleSessionStore,
          useFactory: (db: DrizzleDatabase) => new DrizzleSessionStore({ db }),
          inject: [options.drizzle],
        },
      ],
      exports: [DrizzleTokenVersionStore, DrizzleSessionStore],
    };
  }
}
