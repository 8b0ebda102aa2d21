import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS, TOKEN_VERSION_STORE } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import type { TokenVersionStore } from './token-version-store.interface';
import { RevocationUnavailableException } from '../errors/bearer-auth.exceptions';
import type { RevocationMetrics } from '../metrics/revocation-metrics';
import { withinStoreTimeout } from '../errors/store-call';

/**
 * The everyone-out cutoff (`logoutEveryone()`): epoch seconds before which every access token and
 * session is refused. Held in memory so the hot path stays one lookup; read from the store at
 * startup, after a resync, when older than `cache.ttlMs`, and fresh for strict checks or while the
 * broadcaster is down; raised at once by a broadcast. 0 while the store does not support it.
 */
@Injectable()
export class RevokedBefore {
  private cutoff = 0;
  /** When `cutoff` was read from the store (ms); 0: must be read before it is trusted. */
  private readAt = 0;
  private reading: Promise<number> | undefined;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(TOKEN_VERSION_STORE) private readonly store: TokenVersionStore,
  ) {}

  /** Whether the token version store keeps a cutoff (`getRevokedBefore` / `setRevokedBefore`). */
  get supported(): boolean {
    return typeof this.store.getRevokedBefore === 'function' && typeof this.store.setRevokedBefore === 'function';
  }

  /** The cutoff in memory when it can be trusted as it is, else undefined (then call `read`). */
  ifFresh(fresh: boolean): number | undefined {
    if (!this.supported) return 0;
    if (fresh || this.readAt === 0 || Date.now() - this.readAt > this.options.cache.ttlMs) return undefined;
    return this.cutoff;
  }

  /** The cutoff, from memory when fresh enough, else from the store; 503 when it cannot be read. */
  async current(fresh: boolean, metrics?: RevocationMetrics): Promise<number> {
    return this.ifFresh(fresh) ?? this.read(metrics);
  }

  /** Reads the store (one read shared by concurrent callers). */
  read(metrics?: RevocationMetrics): Promise<number> {
    this.reading ??= this.readOnce(metrics).finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** A cutoff stored here or announced by another instance; never lowered. */
  raise(at: number): void {
    if (at > this.cutoff) this.cutoff = at;
  }

  /** Messages may have been missed: read the store again before trusting the cutoff. */
  markStale(): void {
    this.readAt = 0;
  }

  private async readOnce(metrics: RevocationMetrics | undefined): Promise<number> {
    if (metrics) metrics.storeReads++;
    try {
      const stored = await withinStoreTimeout(() => this.store.getRevokedBefore!(), this.options.storeTimeoutMs);
      this.raise(stored);
      this.readAt = Date.now();
      return this.cutoff;
    } catch {
      if (metrics) metrics.failClosedRefusals++;
      throw new RevocationUnavailableException(this.options.retryAfterSeconds);
    }
  }
}
