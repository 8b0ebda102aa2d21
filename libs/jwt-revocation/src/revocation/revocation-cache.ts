import { LRUCache } from 'lru-cache';

const NO_USER = -1;
// Not a possible user id key: user ids are stored as they are, this marker has a NUL byte.
const NOT_LIVE = '\u0000not-live';

/** A live session's owner, and when the session ends (its absolute or idle expiry, whichever is first). */
interface LiveSession {
  readonly owner: string;
  readonly endsAt: number;
}

/**
 * In-process, bounded memory of users' versions and sessions' liveness. A value read from the
 * store is only kept if no invalidation arrived while it was being read (the epoch check), so a
 * slow read can never put back a state a revocation has just replaced.
 */
export class RevocationCache {
  private readonly entries: LRUCache<string, number | string | LiveSession>;
  private epoch = 0;

  constructor(maxEntries: number, ttlMs: number) {
    this.entries = new LRUCache({ max: maxEntries, ttl: ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }

  currentEpoch(): number {
    return this.epoch;
  }

  /** undefined: not cached; null: the user does not exist. */
  getVersion(userId: string): number | null | undefined {
    const value = this.entries.get(`u:${userId}`) as number | undefined;
    return value === NO_USER ? null : value;
  }

  setVersion(userId: string, version: number | null, readAtEpoch: number): void {
    if (readAtEpoch === this.epoch) this.entries.set(`u:${userId}`, version ?? NO_USER);
  }

  /**
   * The user a live session belongs to; null: not live; undefined: not cached, or cached with an
   * end that has passed (a refresh may have moved the idle end since: the store must answer).
   */
  getSessionOwner(sessionId: string, now = Date.now()): string | null | undefined {
    const value = this.entries.get(`s:${sessionId}`) as LiveSession | string | undefined;
    if (value === undefined || value === NOT_LIVE) return value === NOT_LIVE ? null : undefined;
    return now < (value as LiveSession).endsAt ? (value as LiveSession).owner : undefined;
  }

  setSessionOwner(sessionId: string, owner: string | null, readAtEpoch: number, endsAt = Number.POSITIVE_INFINITY): void {
    if (readAtEpoch === this.epoch) this.entries.set(`s:${sessionId}`, owner === null ? NOT_LIVE : { owner, endsAt });
  }

  forgetUser(userId: string): void {
    this.epoch++;
    this.entries.delete(`u:${userId}`);
  }

  forgetSessions(sessionIds: string[]): void {
    this.epoch++;
    for (const id of sessionIds) this.entries.delete(`s:${id}`);
  }

  clear(): void {
    this.epoch++;
    this.entries.clear();
  }
}
