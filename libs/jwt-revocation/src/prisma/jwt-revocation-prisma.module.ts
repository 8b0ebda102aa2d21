import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import type { UserTableOptions } from '../sql/sql-token-version.store';
import type { PrismaRawClient } from './prisma-raw-client';
import { PrismaSessionStore } from './prisma-session.store';
import type { PrismaProvider } from './prisma-store.options';
import { PrismaTokenVersionStore } from './prisma-token-version.store';

export interface JwtRevocationPrismaOptions {
  /**
   * The provider of the app's PrismaClient: its class (`PrismaService`) or token. A token, not an
   * instance, so a second database's client or an extended client provided under its own token works.
   */
  prismaClient: InjectionToken;
  /** Modules to import so `prismaClient` can be injected, when its module is not global. */
  imports?: ModuleMetadata['imports'];
  /** The schema's datasource provider; read from the client when omitted. */
  provider?: PrismaProvider;
  /** The user table holding `token_version`, with database names. Default `users` / `id` / `token_version`, integer ids. */
  userTable?: UserTableOptions;
}

/**
 * The Prisma stores as Nest providers, built from the app's PrismaClient by DI. Import it where
 * `JwtRevocationModule.forRootAsync` can inject them:
 *
 * ```ts
 * JwtRevocationModule.forRootAsync({
 *   imports: [JwtRevocationPrismaModule.forFeature({ prismaClient: PrismaService })],
 *   inject: [PrismaTokenVersionStore, PrismaSessionStore],
 *   useFactory: (tokenVersionStore, sessionStore) => ({ secret, tokenVersionStore, sessionStore }),
 * })
 * ```
 */
@Module({})
export class JwtRevocationPrismaModule {
  static forFeature(options: JwtRevocationPrismaOptions): DynamicModule {
    const { prismaClient, provider, userTable } = options;
    return {
      module: JwtRevocationPrismaModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: PrismaTokenVersionStore,
          useFactory: (client: PrismaRawClient) => new PrismaTokenVersionStore({ client, provider, userTable }),
          inject: [prismaClient],
        },
        {
          provide: PrismaSessionStore,
          useFactory: (client: PrismaRawClient) => new PrismaSessionStore({ client, provider }),
          inject: [prismaClient],
        },
      ],
      exports: [PrismaTokenVersionStore, PrismaSessionStore],
    };
  }
}
