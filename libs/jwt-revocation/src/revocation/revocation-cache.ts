import { LRUCache } from 'lru-cache';

const NO_USER = -1;
// Not a possible user id key: user ids are stored as they are, this marker has a NUL byte.
const NOT_LIVE = '\u0000not-live';

/**
 * In-process, bounded memory of users' versions and sessions' liveness. A value read from the
 * store is only kept if no invalidation arrived while it was being read (the epoch check), so a
 * slow read can never put back a state a revocation has just replaced.
 */
export class RevocationCache {
  private readonly entries: LRUCache<string, number | string>;
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

  /** The user a live session belongs to; null: not live; undefined: not cached. */
  getSessionOwner(sessionId: string): string | null | undefined {
    const value = this.entries.get(`s:${sessionId}`) as string | undefined;
    return value === NOT_LIVE ? null : value;
  }

  setSessionOwner(sessionId: string, owner: string | null, readAtEpoch: number): void {
    if (readAtEpoch === this.epoch) this.entries.set(`s:${sessionId}`, owner ?? NOT_LIVE);
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
