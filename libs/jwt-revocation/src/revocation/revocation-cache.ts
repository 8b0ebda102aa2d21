/** What every entry carries: when it stops being trusted, whether it was read since the last eviction pass. */
interface Entry {
  readonly expiresAt: number;
  /** Read since the eviction pass last looked at it: spared once (second chance). */
  used: boolean;
  /** False once replaced or dropped, so a session still linked to an old version entry notices. */
  alive: boolean;
}

interface VersionEntry extends Entry {
  /** null: the user does not exist. */
  readonly version: number | null;
}

/** A session's owner (null: not live) and when it ends (its absolute or idle expiry, whichever is first). */
interface SessionEntry extends Entry {
  readonly owner: string | null;
  readonly endsAt: number;
  /** The owner's version entry when last seen: a cached-path check reads both with one lookup. */
  user: VersionEntry | undefined;
}

/** `checkCached` answers. */
export const CACHED_CURRENT = 'current';
export const CACHED_REVOKED = 'revoked';
export type CachedAnswer = typeof CACHED_CURRENT | typeof CACHED_REVOKED;

/** How many recently read entries one eviction may spare before it evicts regardless. */
const SECOND_CHANCES = 8;

/**
 * In-process, bounded memory of users' versions and sessions' liveness. A value read from the
 * store is only kept if no invalidation arrived while it was being read (the epoch check), so a
 * slow read can never put back a state a revocation has just replaced. Bounded to `maxEntries`
 * (versions and sessions together), least recently used out first (the CLOCK approximation: a read
 * only sets a flag, never reorders), each entry trusted for `ttlMs`.
 */
export class RevocationCache {
  private readonly versions = new Map<string, VersionEntry>();
  private readonly sessions = new Map<string, SessionEntry>();
  private epoch = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.versions.size + this.sessions.size;
  }

  currentEpoch(): number {
    return this.epoch;
  }

  /** undefined: not cached; null: the user does not exist. */
  getVersion(userId: string, now = Date.now()): number | null | undefined {
    const entry = this.versions.get(userId);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt) {
      this.dropVersion(userId, entry);
      return undefined;
    }
    entry.used = true;
    return entry.version;
  }

  setVersion(userId: string, version: number | null, readAtEpoch: number): void {
    if (readAtEpoch !== this.epoch) return;
    const previous = this.versions.get(userId);
    if (previous) this.dropVersion(userId, previous);
    this.makeRoom(this.versions, this.sessions);
    this.versions.set(userId, { version, expiresAt: Date.now() + this.ttlMs, used: false, alive: true });
  }

  /**
   * The user a live session belongs to; null: not live; undefined: not cached, or cached with an
   * end that has passed (a refresh may have moved the idle end since: the store must answer).
   */
  getSessionOwner(sessionId: string, now = Date.now()): string | null | undefined {
    const entry = this.sessions.get(sessionId);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt) {
      this.dropSession(sessionId, entry);
      return undefined;
    }
    entry.used = true;
    if (entry.owner === null) return null;
    return now < entry.endsAt ? entry.owner : undefined;
  }

  setSessionOwner(sessionId: string, owner: string | null, readAtEpoch: number, endsAt = Number.POSITIVE_INFINITY): void {
    if (readAtEpoch !== this.epoch) return;
    const previous = this.sessions.get(sessionId);
    if (previous) this.dropSession(sessionId, previous);
    this.makeRoom(this.sessions, this.versions);
    const user = owner === null ? undefined : this.versions.get(owner);
    this.sessions.set(sessionId, { owner, endsAt, expiresAt: Date.now() + this.ttlMs, used: false, alive: true, user });
  }

  /**
   * The whole check from memory, with one lookup when the token names a session: `current`,
   * `revoked`, or undefined when the store must answer (something not cached, or past its time).
   */
  checkCached(userId: string, version: number, sessionId: string | undefined, now = Date.now()): CachedAnswer | undefined {
    if (sessionId === undefined) {
      const current = this.getVersion(userId, now);
      return current === undefined ? undefined : current === version ? CACHED_CURRENT : CACHED_REVOKED;
    }
    const session = this.sessions.get(sessionId);
    if (session === undefined || now >= session.expiresAt) return undefined;
    session.used = true;
    // A session that is not live never comes back; one of someone else is never this token's.
    if (session.owner === null || session.owner !== userId) return CACHED_REVOKED;
    if (now >= session.endsAt) return undefined;
    let user = session.user;
    if (user === undefined || !user.alive) {
      user = this.versions.get(userId);
      if (user === undefined) return undefined;
      session.user = user;
    }
    if (now >= user.expiresAt) return undefined;
    user.used = true;
    return user.version === version ? CACHED_CURRENT : CACHED_REVOKED;
  }

  forgetUser(userId: string): void {
    this.epoch++;
    const entry = this.versions.get(userId);
    if (entry) this.dropVersion(userId, entry);
  }

  forgetSessions(sessionIds: string[]): void {
    this.epoch++;
    for (const id of sessionIds) {
      const entry = this.sessions.get(id);
      if (entry) this.dropSession(id, entry);
    }
  }

  clear(): void {
    this.epoch++;
    for (const entry of this.versions.values()) entry.alive = false;
    this.versions.clear();
    this.sessions.clear();
  }

  private dropVersion(userId: string, entry: VersionEntry): void {
    entry.alive = false;
    this.versions.delete(userId);
  }

  private dropSession(sessionId: string, entry: SessionEntry): void {
    entry.alive = false;
    this.sessions.delete(sessionId);
  }

  /** Evicts until one more entry fits: from `own` (the kind being added) first, else from `other`. */
  private makeRoom(own: Map<string, Entry>, other: Map<string, Entry>): void {
    while (this.size >= this.maxEntries) {
      const from = own.size > 0 ? own : other;
      this.evictOne(from);
    }
  }

  /** The oldest entry not read since the last pass (at most SECOND_CHANCES spared, each moved to the back). */
  private evictOne(entries: Map<string, Entry>): void {
    let spared = 0;
    for (const [key, entry] of entries) {
      if (entry.used && spared < SECOND_CHANCES && entries.size > 1) {
        entry.used = false;
        entries.delete(key);
        entries.set(key, entry);
        spared++;
        continue;
      }
      entry.alive = false;
      entries.delete(key);
      return;
    }
  }
}
