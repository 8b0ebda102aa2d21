import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';

/**
 * Deletes sessions that ended long enough ago that none of their access tokens can still be
 * valid, every `sessions.purgeIntervalMs` (0: never on its own).
 */
@Injectable()
export class SessionPurger implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('JwtRevocation');
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions) {}

  onModuleInit(): void {
    const sessions = this.options.sessions;
    if (!sessions || sessions.purgeIntervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.purge().catch(() => this.logger.warn('Session purge failed; will retry on the next interval'));
    }, sessions.purgeIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Returns how many sessions went; 0 when sessions are off. */
  async purge(): Promise<number> {
    if (!this.options.sessions) return 0;
    const accessLifetimeMs = (this.options.accessTokenTtl + this.options.clockTolerance) * 1000;
    return this.options.sessions.store.purge(Date.now() - accessLifetimeMs);
  }
}
