import { Inject, Injectable, Logger } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import type { RevokeReason, SessionRecord } from '../sessions/session-record';
import { sessionsOf } from '../sessions/sessions-of';
import type { InvalidationMessage } from '../broadcast/revocation-broadcaster.interface';
import type { RevocationEventType } from '../events/revocation-event';
import { RevocationEventPublisher } from '../events/revocation-event.publisher';
import { callStore } from '../errors/store-call';
import { RevocationChecker } from './revocation-checker';
import { RevokedBefore } from './revoked-before';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';

/**
 * Every revocation, fanned out the same way: stored first, then this instance's cache and the
 * other instances told, then the event published. A caller never sees success for a revocation
 * that was not stored and announced.
 */
@Injectable()
export class RevocationService {
  private readonly logger = new Logger('JwtRevocation');

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly checker: RevocationChecker,
    private readonly events: RevocationEventPublisher,
    private readonly revokedBefore: RevokedBefore,
  ) {}

  /** Ends one session of the user (logout); returns the ids it ended. */
  async endSessions(userId: string, sessionIds: string[], reason: RevokeReason, type: RevocationEventType): Promise<string[]> {
    const store = sessionsOf(this.options).store;
    const revoked = await this.store(() => store.revoke(userId, sessionIds, reason, Date.now()));
    if (revoked.length > 0) await this.announce(type, userId, revoked, { kind: 'sessions', sessionIds: revoked });
    return revoked;
  }

  /** Ends every session of the user except `currentSessionId`; returns how many ended. */
  async endOtherSessions(userId: string, currentSessionId: string): Promise<number> {
    const store = sessionsOf(this.options).store;
    const live = await this.store(() => store.listActive(userId, Date.now()));
    const others = live.filter((s) => s.id !== currentSessionId).map((s) => s.id);
    return (await this.endSessions(userId, others, 'other-sessions', 'session-revoked')).length;
  }

  /**
   * Raises the user's version, so every token issued before is refused, and ends every session
   * (but `keepSessionId`, which the caller re-binds to the new version). False when the store knows
   * no such user and it had no session: nothing was revoked.
   */
  async raiseVersion(userId: string, reason: RevokeReason, type: RevocationEventType, keepSessionId?: string): Promise<boolean> {
    const raised = await this.store(() => this.options.tokenVersionStore.incrementVersion(userId));
    let revoked: string[] = [];
    const sessions = this.options.sessions;
    if (sessions) {
      const all = await this.store(() => sessions.store.listActive(userId, Date.now()));
      const ids = all.map((s) => s.id).filter((sid) => sid !== keepSessionId);
      revoked = await this.store(() => sessions.store.revoke(userId, ids, reason, Date.now()));
    }
    if (!raised && revoked.length === 0) return false;
    await this.announce(type, userId, revoked, { kind: 'user', userId });
    if (revoked.length > 0) await this.store(() => this.checker.invalidate({ kind: 'sessions', sessionIds: revoked }));
    return true;
  }

  /**
   * Everyone out: every token and session issued before now is refused, for every user, on every
   * instance; stored first (a restart keeps it), then announced. Returns the cutoff (epoch seconds).
   */
  async logoutEveryone(): Promise<number> {
    const store = this.options.tokenVersionStore;
    if (!this.revokedBefore.supported) {
      throw new JwtRevocationConfigError(
        'logoutEveryone() needs a token version store that keeps a cutoff',
        'Implement getRevokedBefore() and setRevokedBefore(at) on your TokenVersionStore (the in-memory and TypeORM stores have them).',
      );
    }
    // The next whole second: a token signed in this second may predate the call, so it is refused too
    // (the issuer waits for the cutoff before signing).
    const cutoff = Math.floor(Date.now() / 1000) + 1;
    await this.store(() => store.setRevokedBefore!(cutoff));
    this.revokedBefore.raise(cutoff);
    await this.announce('logout-everyone', '*', [], { kind: 'everyone', revokedBefore: cutoff });
    return cutoff;
  }

  /** A rotated refresh token came back: the whole family is ended. */
  async endFamilyOnReuse(session: SessionRecord): Promise<void> {
    const store = sessionsOf(this.options).store;
    const revoked = await this.store(() => store.revokeFamily(session.family, 'reuse-detected', Date.now()));
    await this.announce('refresh-reuse-detected', session.userId, revoked, { kind: 'sessions', sessionIds: revoked });
    this.logger.warn(`Refresh token reuse detected; session family of user ${session.userId} revoked`);
  }

  private async announce(type: RevocationEventType, userId: string, sessionIds: string[], invalidation: InvalidationMessage): Promise<void> {
    this.checker.metrics.revocations++;
    // Stored already; if the other instances cannot be told, the caller must not see success.
    await this.store(() => this.checker.invalidate(invalidation));
    await this.events.publish({ type, userId, sessionIds, at: Date.now() });
  }

  private store<T>(operation: () => Promise<T>): Promise<T> {
    return callStore(operation, this.options.retryAfterSeconds);
  }
}
