import { Global, Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ConfigurableJwtRevocationModule } from './jwt-revocation.module-definition';
import { REVOCATION_BROADCASTER, RESOLVED_OPTIONS } from './jwt-revocation.constants';
import type { ResolvedOptions } from './options/resolved-options';
import { settlesWithin } from './broadcast/settles-within';
import { JWT_REVOCATION_EXPORTS, JWT_REVOCATION_PROVIDERS } from './jwt-revocation.providers';
import type { InvalidationMessage, RevocationBroadcaster } from './broadcast/revocation-broadcaster.interface';
import { RevocationChecker } from './revocation/revocation-checker';
import { RevokedBefore } from './revocation/revoked-before';
import { startupWarnings } from './options/startup-warnings';

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
export class JwtRevocationModule
  extends ConfigurableJwtRevocationModule
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(
    @Inject(REVOCATION_BROADCASTER) private readonly broadcaster: RevocationBroadcaster,
    private readonly checker: RevocationChecker,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly revokedBefore: RevokedBefore,
  ) {
    super();
  }

  onModuleInit(): void {
    const logger = new Logger('JwtRevocation');
    for (const warning of startupWarnings(this.options)) logger.warn(warning);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Unreadable now: every check reads it again, and refuses (503) until it can.
    if (this.revokedBefore.supported) await this.revokedBefore.read().catch(() => undefined);
    const listener = { onInvalidate: (message: InvalidationMessage) => this.checker.forget(message), onResync: () => this.checker.clearCache() };
    // Bounded: an unreachable broadcaster must not hold the app's startup; it keeps trying on its own.
    await settlesWithin(() => this.broadcaster.start(listener), this.options.broadcastTimeoutMs);
    if (!this.broadcaster.isConnected()) {
      new Logger('JwtRevocation').warn(
        'The revocation broadcaster is not connected: until it is, this instance reads the store on every request, ' +
          "and revocations made here are stored but not broadcast (other instances see them when their cache entries expire).",
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.broadcaster.stop();
  }
}
