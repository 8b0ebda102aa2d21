import { Global, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ConfigurableJwtRevocationModule } from './jwt-revocation.module-definition';
import { REVOCATION_BROADCASTER } from './jwt-revocation.constants';
import { JWT_REVOCATION_EXPORTS, JWT_REVOCATION_PROVIDERS } from './jwt-revocation.providers';
import type { RevocationBroadcaster } from './broadcast/revocation-broadcaster.interface';
import { RevocationChecker } from './revocation/revocation-checker';

/**
 * JWT authentication whose logout is real: every access token carries the user's token version,
 * and raising it refuses every older token on the next request. Global: import it once.
 */
@Global()
@Module({
  imports: [PassportModule],
  providers: JWT_REVOCATION_PROVIDERS,
  exports: JWT_REVOCATION_EXPORTS,
})
export class JwtRevocationModule extends ConfigurableJwtRevocationModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(REVOCATION_BROADCASTER) private readonly broadcaster: RevocationBroadcaster,
    private readonly checker: RevocationChecker,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.broadcaster.start({ onInvalidate: (message) => this.checker.forget(message), onResync: () => this.checker.clearCache() });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.broadcaster.stop();
  }
}
