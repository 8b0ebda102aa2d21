import { Inject, Injectable, Optional } from '@nestjs/common';
import { REVOCATION_BROADCASTER, RESOLVED_OPTIONS, SESSION_STORE, TOKEN_VERSION_STORE } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import type { TokenVersionStore } from './token-version-store.interface';
import type { SessionStore } from '../sessions/session-store.interface';
import type { InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { RevocationCache } from './revocation-cache';
import { RevokedBefore } from './revoked-before';
import { emptyMetrics, type RevocationMetrics } from '../metrics/revocation-metrics';
import { InvalidTokenException, RevocationUnavailableException } from '../errors/bearer-auth.exceptions';

/**
 * Answers "is this version / session still current?" from the cache when it can be trusted
 * and from the stores otherwise; refuses (503) when neither can answer.
 */
@Injectable()
export class RevocationChecker {
  readonly metrics: RevocationMetrics = emptyMetrics();
  private readonly cache: RevocationCache | undefined;
  private readonly revokedBefore: RevokedBefore;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(TOKEN_VERSION_STORE) private readonly versions: TokenVersionStore,
    @Inject(REVOCATION_BROADCASTER) private readonly broadcaster: RevocationBroadcaster,
    @Optional() @Inject(SESSION_STORE) private readonly sessions?: SessionStore,
    @Optional() revokedBefore?: RevokedBefore,
  ) {
    this.revokedBefore = revokedBefore ?? new RevokedBefore(options, versions);
    this.cache = options.cache.enabled ? new RevocationCache(options.cache.maxEntries, options.cache.ttlMs) : undefined;
  }

  /** Entries held by the in-process cache (0 when it is off). */
  get cacheSize(): number {
    return this.cache?.size ?? 0;
  }

  /** Throws `InvalidTokenException` when revoked, `RevocationUnavailableException` when unknowable. */
  async assertCurrent(userId: string, version: number, sessionId: string | undefined, strict = false, issuedAt = Infinity): Promise<void> {
    // The everyone-out cutoff is one number in memory, raised by broadcasts; read again when it may be
    // outdated (older than cache.ttlMs, or while the broadcaster is down).
    const fresh = !this.broadcaster.isConnected();
    const cutoff = this.revokedBefore.ifFresh(fresh) ?? (await this.revokedBefore.read(this.metrics));
    if (issuedAt < cutoff) throw new InvalidTokenException();
    const trustCache = !strict && this.cache !== undefined && this.broadcaster.isConnected();
    const current = await this.currentVersion(userId, trustCache);
    if (current === null || current !== version) throw new InvalidTokenException();
    if (sessionId !== undefined && !(await this.sessionLive(userId, sessionId, trustCache))) {
      throw new InvalidTokenException();
    }
  }

  /** Drops local state and tells the other instances. */
  async invalidate(message: InvalidationMessage): Promise<void> {
    this.forget(message);
    await this.broadcaster.publish(message);
  }

  /** Applies an invalidation that came from another instance. */
  forget(message: InvalidationMessage): void {
    if (message.kind === 'user') this.cache?.forgetUser(message.userId);
    else if (message.kind === 'sessions') this.cache?.forgetSessions(message.sessionIds);
    else this.revokedBefore.raise(message.revokedBefore);
  }

  /** Messages may have been missed (a reconnect): forget the cache and read the cutoff again. */
  clearCache(): void {
    this.cache?.clear();
    this.revokedBefore.markStale();
  }

  private async currentVersion(userId: string, trustCache: boolean): Promise<number | null> {
    if (trustCache) {
      const cached = this.cache!.getVersion(userId);
      if (cached !== undefined) {
        this.metrics.cacheHits++;
        return cached;
      }
    }
    this.metrics.cacheMisses++;
    const epoch = this.cache?.currentEpoch() ?? 0;
    const version = await this.read(() => this.versions.getVersion(userId));
    if (trustCache) this.cache!.setVersion(userId, version, epoch);
    return version;
  }

  private async sessionLive(userId: string, sessionId: string, trustCache: boolean): Promise<boolean> {
    if (!this.sessions) return false; // a token naming a session we cannot check is refused
    if (trustCache) {
      const owner = this.cache!.getSessionOwner(sessionId);
      if (owner !== undefined) {
        this.metrics.cacheHits++;
        return owner === userId;
      }
    }
    this.metrics.cacheMisses++;
    const epoch = this.cache?.currentEpoch() ?? 0;
    const session = await this.read(() => this.sessions!.find(sessionId));
    // Cached with its owner, so a token naming someone else's session can neither use nor poison it.
    const owner = session !== null && session.revokedAt === null ? session.userId : null;
    if (trustCache) this.cache!.setSessionOwner(sessionId, owner, epoch);
    return owner === userId;
  }

  private async read<T>(query: () => Promise<T>): Promise<T> {
    this.metrics.storeReads++;
    try {
      return await query();
    } catch {
      this.metrics.failClosedRefusals++;
      throw new RevocationUnavailableException(this.options.retryAfterSeconds);
    }
  }
}
