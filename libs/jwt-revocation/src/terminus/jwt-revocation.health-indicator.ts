import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { REVOCATION_STORE_PROBE, type RevocationStoreProbe } from '../health/revocation-store-probe';
import { INVALIDATION_CHANNEL_STATUS, type InvalidationChannelStatus } from '../health/invalidation-channel-status';

export interface BroadcasterCheckOptions {
  /**
   * Default true. False reports an untrusted channel in the body but keeps the check up: while
   * untrusted, every instance still answers correctly from the store, and failing readiness
   * would pull all of them out of the load balancer at once.
   */
  downWhenUntrusted?: boolean;
}

/** Default time the store has to answer the store check. */
export const DEFAULT_STORE_CHECK_TIMEOUT_MS = 1000;

/**
 * Terminus checks of the revocation state, usable apart: `checkStore` (does the source of truth
 * answer in time?) and `checkBroadcaster` (is the invalidation channel trusted?).
 */
@Injectable()
export class JwtRevocationHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REVOCATION_STORE_PROBE) private readonly store: RevocationStoreProbe,
    @Inject(INVALIDATION_CHANNEL_STATUS) private readonly channel: InvalidationChannelStatus,
  ) {}

  /** Down when one bounded read fails or does not answer within `timeoutMs` (default 1000). */
  async checkStore(key = 'revocation_store', timeoutMs = DEFAULT_STORE_CHECK_TIMEOUT_MS): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const started = performance.now();
    try {
      await withTimeout(this.store.probeStore(), timeoutMs);
      return indicator.up({ responseTimeMs: Math.round(performance.now() - started) });
    } catch (error) {
      if (error instanceof ProbeTimeout) return indicator.down({ message: `no answer within ${timeoutMs} ms`, timeoutMs });
      // The class name only: a driver's message can carry connection details.
      return indicator.down({ message: 'store read failed', error: (error as Error | undefined)?.name ?? 'Error' });
    }
  }

  /** Up while the channel is trusted; otherwise down (or up, see options) with the reason and since when. */
  checkBroadcaster(key = 'revocation_broadcaster', options: BroadcasterCheckOptions = {}): HealthIndicatorResult {
    const indicator = this.health.check(key);
    const trusted = this.channel.isTrusted();
    const since = new Date(this.channel.since).toISOString();
    if (trusted) return indicator.up({ trusted: true, since });
    const untrusted = { trusted: false, reason: this.channel.reason ?? 'unknown', since };
    return options.downWhenUntrusted === false ? indicator.up(untrusted) : indicator.down(untrusted);
  }
}

class ProbeTimeout extends Error {}

async function withTimeout(probe: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), timeoutMs);
  });
  probe.catch(() => undefined); // a probe failing after the deadline must not go unhandled
  try {
    await Promise.race([probe, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
