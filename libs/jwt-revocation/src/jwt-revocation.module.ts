import { Global, Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ConfigurableJwtRevocationModule } from './jwt-revocation.module-definition';
import { RESOLVED_OPTIONS } from './jwt-revocation.constants';
import type { ResolvedOptions } from './options/resolved-options';
import { JWT_REVOCATION_EXPORTS, JWT_REVOCATION_PROVIDERS } from './jwt-revocation.providers';
import type { InvalidationMessage } from './broadcast/revocation-broadcaster.interface';
import { InvalidationChannel } from './broadcast/invalidation-channel';
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
    private readonly channel: InvalidationChannel,
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
    // Bounded by broadcastTimeoutMs: an unreachable broadcaster must not hold the app's startup; it
    // keeps trying on its own, and the channel warns while it is not trusted.
    await this.channel.start(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channel.stop();
  }
}
