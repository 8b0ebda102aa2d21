import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SESSION_STORE } from '../jwt-revocation.constants';
import type { SessionStore } from '../sessions/session-store.interface';
import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import type { InvalidationMessage } from '../broadcast/revocation-broadcaster.interface';
import { InvalidTokenException } from '../errors/bearer-auth.exceptions';
import { RevocationChecker } from '../revocation/revocation-checker';
import { ExpiryTimers } from './expiry-timers';
import type { LiveCloseReason } from './live-close-reason';
import type { CloseLiveConnection, LiveConnection } from './live-connection';
import { RevocationListeners } from './revocation-listeners';

/**
 * Every connection held open with a token on this instance, indexed by user and by session so a
 * revocation finds its connections without scanning. Fed by the invalidations the checker applies
 * (local ones and those broadcast by other instances), it closes:
 * - a session's connections when the session ends;
 * - a user's connections whose token version is no longer current (logout-all, password change);
 * - every connection issued before the cutoff on `logoutEveryone()` (the one case that visits all);
 * - a connection when its token expires, unless it re-authenticated first.
 * The transports (socket.io, graphql-ws, SSE) register here and say how to close.
 */
@Injectable()
export class LiveConnectionRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly byUser = new Map<string, Set<Entry>>();
  private readonly bySession = new Map<string, Set<Entry>>();
  private readonly expiry = new ExpiryTimers<Entry>((entry) => this.close(entry, 'expired'));
  private count = 0;
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly listeners: RevocationListeners,
    private readonly checker: RevocationChecker,
    @Optional() @Inject(SESSION_STORE) private readonly sessions?: SessionStore | null,
  ) {}

  onModuleInit(): void {
    const stopInvalidations = this.listeners.add((message) => this.onInvalidation(message));
    const stopResyncs = this.listeners.onResync(() => void this.recheckAll());
    this.stopListening = () => {
      stopInvalidations();
      stopResyncs();
    };
  }

  onModuleDestroy(): void {
    this.stopListening?.();
    this.expiry.clear();
  }

  /** Open connections on this instance. */
  get size(): number {
    return this.count;
  }

  /** Open connections of one user on this instance. */
  countOf(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  /** Tracks a connection authenticated as `user`; `close` is called at most once, after it is unregistered. */
  register(user: AuthenticatedUser, close: CloseLiveConnection): LiveConnection {
    const entry = new Entry(this, user, close);
    this.index(entry);
    return entry;
  }

  /** @internal */
  reindex(entry: Entry, user: AuthenticatedUser): void {
    if (user.id !== entry.user.id) throw new InvalidTokenException(); // a connection never changes hands
    this.unindex(entry);
    entry.user = user;
    this.index(entry);
  }

  /** @internal Forgets the entry without closing it; false when it was not registered. */
  unindex(entry: Entry): boolean {
    if (!entry.open) return false;
    entry.open = false;
    this.count--;
    this.expiry.cancel(entry);
    removeFrom(this.byUser, entry.user.id, entry);
    if (entry.user.sessionId !== undefined) removeFrom(this.bySession, entry.user.sessionId, entry);
    return true;
  }

  private index(entry: Entry): void {
    entry.open = true;
    this.count++;
    addTo(this.byUser, entry.user.id, entry);
    if (entry.user.sessionId !== undefined) addTo(this.bySession, entry.user.sessionId, entry);
    this.expiry.schedule(entry, entry.user.expiresAt * 1000);
  }

  private close(entry: Entry, reason: LiveCloseReason): void {
    if (!this.unindex(entry)) return;
    try {
      entry.closeConnection(reason);
    } catch {
      // The transport failed to close a connection that is already going away: nothing left to do.
    }
  }

  private onInvalidation(message: InvalidationMessage): void {
    if (message.kind === 'sessions') {
      for (const sessionId of message.sessionIds) this.closeAll(this.bySession.get(sessionId), 'session-revoked');
    } else if (message.kind === 'user') {
      void this.closeOutdated(message.userId);
    } else if (message.kind === 'everyone') {
      const cutoff = message.revokedBefore;
      for (const entries of [...this.byUser.values()]) {
        for (const entry of [...entries]) if (entry.user.issuedAt < cutoff) this.close(entry, 'everyone-revoked');
      }
    }
  }

  /**
   * Invalidations may have been missed while the broadcaster was away: every open connection is
   * checked against the store (strict), a few at a time, and closed if its token no longer holds.
   */
  private async recheckAll(): Promise<void> {
    const queue = [...this.byUser.values()].flatMap((entries) => [...entries]);
    const worker = async () => {
      for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) {
        if (entry.open) await this.recheck(entry);
      }
    };
    await Promise.all(Array.from({ length: RECHECK_CONCURRENCY }, worker));
  }

  private async recheck(entry: Entry): Promise<void> {
    const { id, tokenVersion, sessionId, issuedAt } = entry.user;
    try {
      await this.checker.assertCurrent(id, tokenVersion, undefined, true, issuedAt);
    } catch (error) {
      return this.close(entry, error instanceof InvalidTokenException ? await this.outdatedReason(entry) : 'unverifiable');
    }
    if (sessionId === undefined) return;
    try {
      await this.checker.assertCurrent(id, tokenVersion, sessionId, true);
    } catch (error) {
      this.close(entry, error instanceof InvalidTokenException ? 'session-revoked' : 'unverifiable');
    }
  }

  private closeAll(entries: Set<Entry> | undefined, reason: LiveCloseReason): void {
    if (entries) for (const entry of [...entries]) this.close(entry, reason);
  }

  /**
   * The user's token version changed (or the user is gone): keep the connections whose version is
   * still current, close the rest. A version raised after a connection opened with the new one
   * (a login right after logout-all) must not close it, so the store decides, once per version.
   */
  private async closeOutdated(userId: string): Promise<void> {
    const entries = this.byUser.get(userId);
    if (!entries) return;
    const versions = new Set([...entries].map((entry) => entry.user.tokenVersion));
    await Promise.all(
      [...versions].map(async (version) => {
        try {
          await this.checker.assertCurrent(userId, version, undefined, true);
          return;
        } catch (error) {
          if (!(error instanceof InvalidTokenException)) {
            for (const entry of [...(this.byUser.get(userId) ?? [])]) if (entry.user.tokenVersion === version) this.close(entry, 'unverifiable');
            return;
          }
        }
        const outdated = [...(this.byUser.get(userId) ?? [])].filter((entry) => entry.user.tokenVersion === version);
        await Promise.all(outdated.map(async (entry) => this.close(entry, await this.outdatedReason(entry))));
      }),
    );
  }

  /**
   * Why an outdated token's connection closes. Logout-all and a password change raise the version
   * and end the sessions, stored before either is announced, so the session store says which it
   * was whatever order the two invalidations arrive in: the same reason on every instance.
   */
  private async outdatedReason(entry: Entry): Promise<LiveCloseReason> {
    const sessionId = entry.user.sessionId;
    if (sessionId === undefined || !this.sessions) return 'tokens-revoked';
    try {
      const session = await this.sessions.find(sessionId);
      return session === null || session.revokedAt !== null ? 'session-revoked' : 'tokens-revoked';
    } catch {
      return 'tokens-revoked'; // closed either way; only the reason is unknown
    }
  }
}

/** Store reads in flight at once while every connection is checked again after a resync. */
const RECHECK_CONCURRENCY = 8;

/** One registered connection; the registry owns its indexes, the transport owns `closeConnection`. */
class Entry implements LiveConnection {
  open = false;

  constructor(
    private readonly registry: LiveConnectionRegistry,
    public user: AuthenticatedUser,
    readonly closeConnection: CloseLiveConnection,
  ) {}

  reauthenticate(user: AuthenticatedUser): void {
    if (this.open) this.registry.reindex(this, user);
  }

  unregister(): void {
    this.registry.unindex(this);
  }
}

function addTo(index: Map<string, Set<Entry>>, key: string, entry: Entry): void {
  const entries = index.get(key);
  if (entries) entries.add(entry);
  else index.set(key, new Set([entry]));
}

function removeFrom(index: Map<string, Set<Entry>>, key: string, entry: Entry): void {
  const entries = index.get(key);
  if (!entries) return;
  entries.delete(entry);
  if (entries.size === 0) index.delete(key);
}
