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
import { RevocationTelemetry } from '../telemetry/revocation-telemetry';
import type { RevocationResult } from './revocation-result';
import { RevokedBefore } from './revoked-before';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';

/**
 * Every revocation, fanned out the same way: stored first (a store failure is a 503 and nothing is
 * announced), then this instance's cache dropped and the other instances told, then the event
 * published. A broadcast that fails or times out does not undo or fail a stored revocation: the
 * result says `broadcast: 'pending'`, the log says "stored, not broadcast", and it is retried.
 */
@Injectable()
export class RevocationService {
  private readonly logger = new Logger('JwtRevocation');

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly checker: RevocationChecker,
    private readonly events: RevocationEventPublisher,
    private readonly telemetry: RevocationTelemetry,
    private readonly revokedBefore: RevokedBefore,
  ) {}

  /** Ends the given sessions of the user; `revoked`: the ids this call ended. */
  async endSessions(userId: string, sessionIds: string[], reason: RevokeReason, type: RevocationEventType): Promise<SessionsEnded> {
    const store = sessionsOf(this.options).store;
    const revoked = await this.store(() => store.revoke(userId, sessionIds, reason, Date.now()), this.lateSessions);
    if (revoked.length === 0) return { revoked, stored: true, broadcast: 'sent' };
    return { revoked, ...(await this.announce(type, userId, revoked, [{ kind: 'sessions', sessionIds: revoked }])) };
  }

  /** Ends every session of the user except `currentSessionId`. */
  async endOtherSessions(userId: string, currentSessionId: string): Promise<SessionsEnded> {
    const store = sessionsOf(this.options).store;
    const live = await this.store(() => store.listActive(userId, Date.now()));
    const others = live.filter((s) => s.id !== currentSessionId).map((s) => s.id);
    return this.endSessions(userId, others, 'other-sessions', 'session-revoked');
  }

  /**
   * Raises the user's version, so every token issued before is refused, and ends every session
   * (but `keepSessionId`, which the caller re-binds to the new version). Null when the store knows
   * no such user and it had no session: nothing was revoked.
   */
  async raiseVersion(userId: string, reason: RevokeReason, type: RevocationEventType, keepSessionId?: string): Promise<RevocationResult | null> {
    const raised = await this.store(() => this.options.tokenVersionStore.incrementVersion(userId), () => this.checker.invalidate({ kind: 'user', userId }));
    let revoked: string[] = [];
    const sessions = this.options.sessions;
    if (sessions) {
      const all = await this.store(() => sessions.store.listActive(userId, Date.now()));
      const ids = all.map((s) => s.id).filter((sid) => sid !== keepSessionId);
      revoked = await this.store(() => sessions.store.revoke(userId, ids, reason, Date.now()), this.lateSessions);
    }
    if (!raised && revoked.length === 0) return null;
    const invalidations: InvalidationMessage[] = [{ kind: 'user', userId }];
    if (revoked.length > 0) invalidations.push({ kind: 'sessions', sessionIds: revoked });
    return this.announce(type, userId, revoked, invalidations);
  }

  /**
   * The user is gone: every session ends and every instance forgets the user's cached version, so
   * neither its tokens nor a later user given the same id can use them.
   */
  async endUser(userId: string): Promise<RevocationResult> {
    const revoked = this.options.sessions ? await this.store(() => sessionsOf(this.options).store.revoke(userId, 'all', 'user-deleted', Date.now()), this.lateSessions) : [];
    const invalidations: InvalidationMessage[] = [{ kind: 'user', userId }];
    if (revoked.length === 0) return { stored: true, broadcast: await this.checker.invalidate(invalidations[0]) };
    invalidations.push({ kind: 'sessions', sessionIds: revoked });
    return this.announce('session-revoked', userId, revoked, invalidations);
  }

  /**
   * Everyone out: every token and session issued before now is refused, for every user, on every
   * instance; stored first (a restart keeps it), then announced.
   */
  async logoutEveryone(): Promise<RevocationResult> {
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
    await this.store(
      () => store.setRevokedBefore!(cutoff),
      () => {
        this.revokedBefore.raise(cutoff);
        return this.checker.invalidate({ kind: 'everyone', revokedBefore: cutoff });
      },
    );
    this.revokedBefore.raise(cutoff);
    return this.announce('logout-everyone', '*', [], [{ kind: 'everyone', revokedBefore: cutoff }]);
  }

  /** A rotated refresh token came back: the whole family is ended. */
  async endFamilyOnReuse(session: SessionRecord): Promise<void> {
    const store = sessionsOf(this.options).store;
    const revoked = await this.store(() => store.revokeFamily(session.family, 'reuse-detected', Date.now()), this.lateSessions);
    if (revoked.length === 0) return; // a concurrent replay ended the family already and announced it
    await this.announce('refresh-reuse-detected', session.userId, revoked, [{ kind: 'sessions', sessionIds: revoked }]);
    this.logger.warn(`Refresh token reuse detected; session family of user ${session.userId} revoked`);
  }

  private async announce(type: RevocationEventType, userId: string, sessionIds: string[], invalidations: InvalidationMessage[]): Promise<RevocationResult> {
    this.telemetry.revoked(type);
    const outcomes = await Promise.all(invalidations.map((message) => this.checker.invalidate(message)));
    const broadcast = outcomes.every((outcome) => outcome === 'sent') ? 'sent' : 'pending';
    if (broadcast === 'pending') {
      // The broadcaster failed, not the store: say what holds, and for how long it may not elsewhere.
      this.logger.warn(
        `Revocation (${type}) of user ${userId} stored, not broadcast: the broadcaster did not confirm within ${this.options.broadcastTimeoutMs} ms. ` +
          `Retrying; other instances refuse the revoked tokens at the latest when their cache entries expire (${this.options.cache.ttlMs} ms).`,
      );
    }
    await this.events.publish({ type, userId, sessionIds, at: Date.now() });
    return { stored: true, broadcast };
  }

  /**
   * A store call bounded by `storeTimeoutMs`; a write that lands after its request got a 503 is
   * still announced (`lateSuccess`), so no instance keeps caching what it replaced.
   */
  private store<T>(operation: () => Promise<T>, lateSuccess?: (result: T) => unknown): Promise<T> {
    return callStore(operation, this.options, this.telemetry, lateSuccess);
  }

  private readonly lateSessions = (revoked: string[]) =>
    revoked.length > 0 ? this.checker.invalidate({ kind: 'sessions', sessionIds: revoked }) : undefined;
}

/** Sessions a revocation ended, and what became of it. */
export interface SessionsEnded extends RevocationResult {
  revoked: string[];
}
