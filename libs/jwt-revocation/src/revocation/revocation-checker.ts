import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { RESOLVED_OPTIONS, SESSION_STORE, TOKEN_VERSION_STORE } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import type { SessionState, TokenVersionStore, VersionAndSessionReader } from './token-version-store.interface';
import type { SessionStore } from '../sessions/session-store.interface';
import type { InvalidationMessage } from '../broadcast/revocation-broadcaster.interface';
import { InvalidationChannel } from '../broadcast/invalidation-channel';
import { CACHED_REVOKED, RevocationCache } from './revocation-cache';
import type { RevocationMetrics } from '../metrics/revocation-metrics';
import { RevocationTelemetry } from '../telemetry/revocation-telemetry';
import type { CheckSource, StoreReadTarget } from '../telemetry/telemetry-names';
import { settlesWithin } from '../broadcast/settles-within';
import { PendingInvalidations } from '../broadcast/pending-invalidations';
import { RevokedBefore } from './revoked-before';
import { RevocationListeners } from '../live/revocation-listeners';
import { CoalescedReads } from './coalesced-reads';
import { withinStoreTimeout } from '../errors/store-call';

import { InvalidTokenException, RevocationUnavailableException } from '../errors/bearer-auth.exceptions';

/**
 * Answers "is this version / session still current?" from the cache when it can be trusted
 * and from the stores otherwise; refuses (503) when neither can answer.
 */
@Injectable()
export class RevocationChecker implements OnModuleDestroy {
  private readonly cache: RevocationCache | undefined;
  private readonly pending: PendingInvalidations;
  private readonly revokedBefore: RevokedBefore;
  /** Concurrent misses of one key share one store read (only while the cache is trusted). */
  private readonly reads = new CoalescedReads();
  /** The stores' one-statement read of a version and a session, when they offer it. */
  private readonly readBoth: VersionAndSessionReader | undefined;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(TOKEN_VERSION_STORE) private readonly versions: TokenVersionStore,
    private readonly channel: InvalidationChannel,
    @Optional() @Inject(SESSION_STORE) private readonly sessions?: SessionStore,
    @Optional() readonly telemetry: RevocationTelemetry = new RevocationTelemetry({ api: null }),
    @Optional() revokedBefore?: RevokedBefore,
    @Optional() private readonly listeners?: RevocationListeners,
  ) {
    this.revokedBefore = revokedBefore ?? new RevokedBefore(options, versions);
    this.cache = options.cache.enabled ? new RevocationCache(options.cache.maxEntries, options.cache.ttlMs) : undefined;
    this.readBoth = sessions ? versions.readerWithSessions?.(sessions) : undefined;
    this.pending = new PendingInvalidations((message) => this.publish(message), options.cache.ttlMs);
  }

  onModuleDestroy(): void {
    this.pending.stop();
  }

  /** Counters, the same ones OpenTelemetry reads. */
  get metrics(): RevocationMetrics {
    return this.telemetry.metrics();
  }

  /** Entries held by the in-process cache (0 when it is off). */
  get cacheSize(): number {
    return this.cache?.size ?? 0;
  }

  /**
   * `assertCurrent` without a promise when the cutoff, the version and the session are all in
   * memory and trusted (the cached path): returns undefined when current, throws when revoked;
   * otherwise returns `assertCurrent`'s promise.
   */
  assertCurrentNow(userId: string, version: number, sessionId: string | undefined, strict = false, issuedAt = Infinity): Promise<void> | undefined {
    const cache = this.cache;
    const inMemory = !strict && cache !== undefined && this.channel.isTrusted() && (sessionId === undefined || this.sessions !== undefined);
    const cutoff = inMemory ? this.revokedBefore.ifFresh(false) : undefined;
    // One lookup for the version and the session (the session entry holds its owner's version).
    const answer = cutoff === undefined ? undefined : cache!.checkCached(userId, version, sessionId);
    if (answer === undefined) return this.assertCurrent(userId, version, sessionId, strict, issuedAt);
    if (issuedAt < cutoff!) throw new InvalidTokenException();
    this.telemetry.cacheHit();
    if (sessionId !== undefined) this.telemetry.cacheHit();
    if (answer === CACHED_REVOKED) {
      this.telemetry.check('refused', 'cache');
      throw new InvalidTokenException();
    }
    this.telemetry.check('accepted', 'cache');
    return undefined;
  }

  /** Throws `InvalidTokenException` when revoked, `RevocationUnavailableException` when unknowable. */
  async assertCurrent(userId: string, version: number, sessionId: string | undefined, strict = false, issuedAt = Infinity): Promise<void> {
    // The everyone-out cutoff is one number in memory, raised by broadcasts; read again when it may be
    // outdated (older than cache.ttlMs, or while the channel is not trusted).
    const channelTrusted = this.channel.isTrusted();
    const cutoff = this.revokedBefore.ifFresh(!channelTrusted) ?? (await this.revokedBefore.read(this.metrics));
    if (issuedAt < cutoff) throw new InvalidTokenException();
    const trustCache = !strict && this.cache !== undefined && channelTrusted;
    const lookup: CheckLookup = { source: 'cache' };
    try {
      const both = sessionId === undefined ? undefined : await this.bothFromStore(userId, sessionId, trustCache, lookup);
      const current = both ? both.version : await this.currentVersion(userId, trustCache, lookup);
      if (current === null || current !== version) throw new InvalidTokenException();
      if (sessionId !== undefined && !(both ? both.live : await this.sessionLive(userId, sessionId, trustCache, lookup))) {
        throw new InvalidTokenException();
      }
    } catch (error) {
      this.telemetry.check(error instanceof RevocationUnavailableException ? 'unavailable' : 'refused', lookup.source);
      throw error;
    }
    this.telemetry.check('accepted', lookup.source);
  }

  /**
   * Drops local state and tells the other instances, waiting at most `broadcastTimeoutMs`; never
   * throws. `'pending'`: not told yet, retried in the background until `cache.ttlMs` has passed.
   */
  async invalidate(message: InvalidationMessage): Promise<'sent' | 'pending'> {
    this.forget(message);
    message = this.channel.stamp(message); // a retry keeps its sequence number
    if (await this.publish(message)) return 'sent';
    this.pending.add(message);
    return 'pending';
  }

  /** Applies an invalidation that came from another instance. */
  forget(message: InvalidationMessage): void {
    if (message.kind === 'heartbeat' || message.kind === 'leaving') return;
    if (message.sentAt !== undefined) this.telemetry.invalidationReceived(message.sentAt);
    if (message.kind === 'user') this.cache?.forgetUser(message.userId);
    else if (message.kind === 'sessions') this.cache?.forgetSessions(message.sessionIds);
    else this.revokedBefore.raise(message.revokedBefore);
    this.listeners?.notify(message); // live connections close on every instance
  }

  /** Messages may have been missed (a reconnect): forget the cache and read the cutoff again. */
  clearCache(): void {
    this.cache?.clear();
    this.revokedBefore.markStale();
    this.listeners?.notifyResync(); // live connections are checked again
  }

  private publish(message: InvalidationMessage): Promise<boolean> {
    return settlesWithin(() => this.channel.publish({ ...message, sentAt: Date.now() }), this.options.broadcastTimeoutMs);
  }

  private async currentVersion(userId: string, trustCache: boolean, lookup: CheckLookup): Promise<number | null> {
    if (trustCache) {
      const cached = this.cache!.getVersion(userId);
      if (cached !== undefined) {
        this.telemetry.cacheHit();
        return cached;
      }
    }
    this.telemetry.cacheMiss();
    lookup.source = 'store';
    const epoch = this.cache?.currentEpoch() ?? 0;
    const query = () => this.read('version', () => this.versions.getVersion(userId));
    const version = trustCache ? await this.reads.run(`u:${userId}`, epoch, query) : await query();
    if (trustCache) this.cache!.setVersion(userId, version, epoch);
    return version;
  }

  private async sessionLive(userId: string, sessionId: string, trustCache: boolean, lookup: CheckLookup): Promise<boolean> {
    if (!this.sessions) return false; // a token naming a session we cannot check is refused
    const now = Date.now();
    if (trustCache) {
      const owner = this.cache!.getSessionOwner(sessionId, now);
      if (owner !== undefined) {
        this.telemetry.cacheHit();
        return owner === userId;
      }
    }
    this.telemetry.cacheMiss();
    lookup.source = 'store';
    const epoch = this.cache?.currentEpoch() ?? 0;
    const query = () => this.read('session', () => this.sessions!.find(sessionId));
    const session = trustCache ? await this.reads.run(`s:${sessionId}`, epoch, query) : await query();
    return this.rememberSession(userId, sessionId, session, trustCache, epoch, now);
  }

  /**
   * Version and session in one store round trip, when the stores offer it and either is not
   * cached (both are then refreshed: entries cached together expire together, so a user costs one
   * read per cache TTL, not two a few requests apart); undefined otherwise (the caller then reads
   * what is missing on its own).
   */
  private async bothFromStore(userId: string, sessionId: string, trustCache: boolean, lookup: CheckLookup): Promise<{ version: number | null; live: boolean } | undefined> {
    if (!this.readBoth) return undefined;
    if (trustCache) {
      const now = Date.now();
      const versionCached = this.cache!.getVersion(userId, now) !== undefined;
      const sessionCached = this.cache!.getSessionOwner(sessionId, now) !== undefined;
      if (versionCached && sessionCached) return undefined;
      if (versionCached) this.telemetry.cacheHit();
      else this.telemetry.cacheMiss();
      if (sessionCached) this.telemetry.cacheHit();
      else this.telemetry.cacheMiss();
    } else {
      this.telemetry.cacheMiss();
      this.telemetry.cacheMiss();
    }
    lookup.source = 'store';
    const epoch = this.cache?.currentEpoch() ?? 0;
    const query = () => this.read('version', () => this.readBoth!(userId, sessionId));
    const { version, session } = trustCache ? await this.reads.run(`b:${userId}:${sessionId}`, epoch, query) : await query();
    if (trustCache) this.cache!.setVersion(userId, version, epoch);
    // No user row, no session read: nothing is known (or cached) about the session then.
    if (version === null) return { version, live: false };
    return { version, live: this.rememberSession(userId, sessionId, session, trustCache, epoch, Date.now()) };
  }

  /** Whether `session` is live and `userId`'s; cached with its owner when the cache is trusted. */
  private rememberSession(userId: string, sessionId: string, session: SessionState | null, trustCache: boolean, epoch: number, now: number): boolean {
    // An ended session (revoked, or past its absolute or idle expiry) ends its access tokens.
    const endsAt = session === null ? 0 : Math.min(session.expiresAt, session.idleExpiresAt);
    const owner = session !== null && session.revokedAt === null && now < endsAt ? session.userId : null;
    // Cached with its owner, so a token naming someone else's session can neither use nor poison it.
    if (trustCache) this.cache!.setSessionOwner(sessionId, owner, epoch, endsAt);
    return owner === userId;
  }

  private async read<T>(target: StoreReadTarget, query: () => Promise<T>): Promise<T> {
    try {
      return await this.telemetry.readStore(target, () => withinStoreTimeout(query, this.options.storeTimeoutMs));
    } catch {
      throw new RevocationUnavailableException(this.options.retryAfterSeconds);
    }
  }
}

/** Where one check's answer came from; `store` once any lookup missed the cache. */
interface CheckLookup {
  source: CheckSource;
}
