import type { RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';

/** Whether this instance trusts its invalidation channel, and so its cache. */
export interface InvalidationChannelStatus {
  isTrusted(): boolean;
  /** Epoch ms of the last change between trusted and untrusted. */
  readonly since: number;
  /** Why it is untrusted; never a secret or a URL with credentials. */
  readonly reason?: string;
}

/** Injection token of the `InvalidationChannelStatus`; the module provides its `InvalidationChannel` (heartbeats, sequence gaps, connection). */
export const INVALIDATION_CHANNEL_STATUS = Symbol('INVALIDATION_CHANNEL_STATUS');

/**
 * The channel's trust read from `RevocationBroadcaster.isConnected()` alone (no heartbeats), for a
 * status outside the module; the module itself provides its `InvalidationChannel`. A change is noticed when the status is read (each
 * scrape of `jwt_revocation_channel_trusted`, each health check), so `since` is as precise as those reads.
 */
export class BroadcasterConnectionStatus implements InvalidationChannelStatus {
  private trusted: boolean;
  private changedAt: number;

  constructor(
    private readonly broadcaster: RevocationBroadcaster,
    private readonly now: () => number = Date.now,
  ) {
    this.trusted = broadcaster.isConnected();
    this.changedAt = now();
  }

  isTrusted(): boolean {
    const connected = this.broadcaster.isConnected();
    if (connected !== this.trusted) {
      this.trusted = connected;
      this.changedAt = this.now();
    }
    return connected;
  }

  get since(): number {
    this.isTrusted();
    return this.changedAt;
  }

  get reason(): string | undefined {
    return this.isTrusted() ? undefined : 'broadcaster not connected';
  }
}
