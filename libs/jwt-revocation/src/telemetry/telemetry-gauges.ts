import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RevocationChecker } from '../revocation/revocation-checker';
import { INVALIDATION_CHANNEL_STATUS, type InvalidationChannelStatus } from '../health/invalidation-channel-status';
import { RevocationTelemetry } from './revocation-telemetry';

/** Points the telemetry's gauges at this module's cache and channel, and lets go of them on shutdown. */
@Injectable()
export class TelemetryGauges implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly telemetry: RevocationTelemetry,
    private readonly checker: RevocationChecker,
    @Inject(INVALIDATION_CHANNEL_STATUS) private readonly channel: InvalidationChannelStatus,
  ) {}

  onModuleInit(): void {
    this.telemetry.observeCacheEntries(() => this.checker.cacheSize);
    this.telemetry.observeChannelTrusted(() => this.channel.isTrusted());
  }

  onModuleDestroy(): void {
    this.telemetry.detach();
  }
}
