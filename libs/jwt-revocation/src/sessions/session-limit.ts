import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import { RevocationService } from '../revocation/revocation.service';
import { SessionLimitException } from '../errors/session-limit.exception';
import { LiveSessions } from './live-sessions';
import { sessionsOf } from './sessions-of';

/** `sessions.maxPerUser`: what a login beyond the cap does (`onLimit`). */
@Injectable()
export class SessionLimit {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly live: LiveSessions,
    private readonly revocation: RevocationService,
  ) {}

  /** Before a new session is stored: under 'refuse', a user at the cap gets 409 and nothing changes. */
  async beforeLogin(userId: string, now: number): Promise<void> {
    const { maxPerUser, onLimit } = sessionsOf(this.options);
    if (maxPerUser > 0 && onLimit === 'refuse') await this.refuseOverLimit(userId, now, 0);
  }

  /**
   * After the new session is stored, over the cap: 'revoke-oldest' ends the least recently used
   * others; 'refuse' ends the new one (a concurrent login won the race). Counting after the write
   * keeps the cap under concurrent logins.
   */
  async afterLogin(userId: string, newSessionId: string, now: number): Promise<void> {
    const { maxPerUser, onLimit } = sessionsOf(this.options);
    if (maxPerUser <= 0) return;
    if (onLimit === 'refuse') return this.refuseOverLimit(userId, now, 1, newSessionId);
    const live = await this.live.of(userId, now);
    const others = live.filter((s) => s.id !== newSessionId).sort((a, b) => a.lastUsedAt - b.lastUsedAt || a.createdAt - b.createdAt);
    const excess = others.slice(0, Math.max(0, live.length - maxPerUser)).map((s) => s.id);
    if (excess.length > 0) await this.revocation.endSessions(userId, excess, 'session-limit', 'session-revoked');
  }

  /** 409 when the user has more than `maxPerUser - 1 + stored` live sessions (ending `newSessionId` first). */
  private async refuseOverLimit(userId: string, now: number, stored: number, newSessionId?: string): Promise<void> {
    const maxPerUser = sessionsOf(this.options).maxPerUser;
    if ((await this.live.of(userId, now)).length < maxPerUser + stored) return;
    if (newSessionId) await this.revocation.endSessions(userId, [newSessionId], 'session-limit', 'session-revoked');
    throw new SessionLimitException(maxPerUser);
  }
}
