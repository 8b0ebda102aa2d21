import { Global, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ConfigurableJwtRevocationModule, JWT_REVOCATION_MODULE_OPTIONS } from './jwt-revocation.module-definition';
import { REVOCATION_BROADCASTER, RESOLVED_OPTIONS, SESSION_STORE, TOKEN_VERSION_STORE } from './jwt-revocation.constants';
import type { JwtRevocationModuleOptions } from './jwt-revocation.options';
import { resolveOptions, type ResolvedOptions } from './resolved-options';
import { LocalRevocationBroadcaster, type RevocationBroadcaster } from './cache/revocation-broadcaster.interface';
import { AccessTokenVerifier } from './access-token.verifier';
import { RevocationChecker } from './revocation-checker';
import { AuthTokenService } from './auth-token.service';
import { RevocationEventPublisher } from './events/revocation-event.publisher';
import { JwtRevocationGuard } from './jwt-revocation.guard';
import { JwtRevocationStrategy } from './jwt-revocation.strategy';
import { JwksService } from './keys/jwks';

const providers: Provider[] = [
  {
    provide: RESOLVED_OPTIONS,
    useFactory: (options: JwtRevocationModuleOptions) => resolveOptions(options),
    inject: [JWT_REVOCATION_MODULE_OPTIONS],
  },
  {
    provide: TOKEN_VERSION_STORE,
    // The TypeORM integration is loaded only when asked for, so the core never requires typeorm.
    useFactory: async (options: ResolvedOptions, moduleRef: ModuleRef) =>
      options.raw.tokenVersionStore ??
      (await import('./typeorm/typeorm-stores.factory')).createTypeOrmVersionStore(moduleRef, options.raw.typeorm!),
    inject: [RESOLVED_OPTIONS, ModuleRef],
  },
  {
    provide: SESSION_STORE,
    useFactory: async (options: ResolvedOptions, moduleRef: ModuleRef) => {
      if (!options.sessions) return undefined;
      if (options.raw.sessionStore) return options.raw.sessionStore;
      if (options.raw.typeorm) {
        return (await import('./typeorm/typeorm-stores.factory')).createTypeOrmSessionStore(moduleRef, options.raw.typeorm);
      }
      return undefined;
    },
    inject: [RESOLVED_OPTIONS, ModuleRef],
  },
  {
    provide: REVOCATION_BROADCASTER,
    useFactory: (options: ResolvedOptions) => options.raw.broadcaster ?? new LocalRevocationBroadcaster(),
    inject: [RESOLVED_OPTIONS],
  },
  RevocationChecker,
  RevocationEventPublisher,
  AccessTokenVerifier,
  AuthTokenService,
  JwtRevocationGuard,
  JwtRevocationStrategy,
  JwksService,
];

/**
 * JWT authentication whose logout is real: every access token carries the user's token version,
 * and raising it refuses every older token on the next request. Global: import it once.
 */
@Global()
@Module({
  imports: [PassportModule],
  providers,
  exports: [AuthTokenService, AccessTokenVerifier, JwtRevocationGuard, RevocationChecker, JwksService, RESOLVED_OPTIONS],
})
export class JwtRevocationModule extends ConfigurableJwtRevocationModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const checker = this.moduleRef.get(RevocationChecker);
    await this.broadcaster().start({ onInvalidate: (message) => checker.forget(message), onResync: () => checker.clearCache() });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.broadcaster().stop();
  }

  private broadcaster(): RevocationBroadcaster {
    return this.moduleRef.get(REVOCATION_BROADCASTER);
  }
}

