/**
 * Peers watched at most. Instances come and go with new ids, and any publisher on the channel can
 * name itself anything, so the table is capped: a newcomer that finds it full is not watched, and
 * the channel is distrusted instead (fail closed) until silent entries are forgotten. The channel
 * assumes its transport is trusted infrastructure; the cap bounds memory, it is no defence.
 */
export const MAX_WATCHED_PEERS = 1000;
/** Ids that said `leaving`, remembered so a late duplicate of their messages does not bring them back. */
const MAX_LEFT_REMEMBERED = 100;

/**
 * When each other instance on the channel (known from the `from` of what it publishes) was last
 * heard. A peer silent past `silentAfterMs` may be publishing revocations that never arrive (its
 * own link black-holed); one silent past `forgetAfterMs` (the cache TTL) is forgotten: nothing
 * cached before its silence can still be held, so its absence no longer matters to the cache.
 */
export class PeerLiveness {
  /** Ordered by when each peer was last heard, longest silent first (a peer heard moves to the end). */
  private readonly lastHeard = new Map<string, number>();
  /** When a newcomer last found the table full; -Infinity: never. */
  private refusedAt = Number.NEGATIVE_INFINITY;
  /** Oldest first; an instance that left never comes back under the same id (a restart draws a new one). */
  private readonly leftIds = new Set<string>();
  /** Forgotten since last read, for the log (a few: the log line is what matters, not the list). */
  private readonly forgotten: string[] = [];

  constructor(
    private readonly silentAfterMs: number,
    private readonly forgetAfterMs: number,
    private readonly max = MAX_WATCHED_PEERS,
  ) {}

  get size(): number {
    return this.lastHeard.size;
  }

  /** Records a message from `id`. */
  heard(id: string, now: number): void {
    if (this.leftIds.has(id)) return;
    if (!this.lastHeard.delete(id)) {
      this.forgetSilent(now);
      if (this.lastHeard.size >= this.max) {
        this.refusedAt = now;
        return;
      }
    }
    this.lastHeard.set(id, now);
  }

  /** `id` stopped gracefully (it said so): its silence means nothing. */
  left(id: string): void {
    this.lastHeard.delete(id);
    this.leftIds.add(id);
    if (this.leftIds.size > MAX_LEFT_REMEMBERED) this.leftIds.delete(this.leftIds.values().next().value!);
  }

  /** The peer silent the longest, when it has been silent past `silentAfterMs`; undefined when none is. */
  silent(now: number): string | undefined {
    this.forgetSilent(now);
    const longestSilent = this.lastHeard.entries().next();
    if (longestSilent.done) return undefined;
    const [id, heardAt] = longestSilent.value;
    return now - heardAt > this.silentAfterMs ? id : undefined;
  }

  /** A newcomer found the table full less than `forgetAfterMs` ago: some peer is not watched. */
  overflowing(now: number): boolean {
    return now - this.refusedAt <= this.forgetAfterMs;
  }

  /**
   * Hands `report` each peer forgotten since the last call (silent past `forgetAfterMs`), then empties
   * the list. Asked on every trust check, so the common case (none) allocates nothing.
   */
  drainForgotten(report: (id: string) => void): void {
    if (this.forgotten.length === 0) return;
    for (const id of this.forgotten) report(id);
    this.forgotten.length = 0;
  }

  private forgetSilent(now: number): void {
    for (const [id, heardAt] of this.lastHeard) {
      if (now - heardAt <= this.forgetAfterMs) return;
      this.lastHeard.delete(id);
      if (this.forgotten.length < 10) this.forgotten.push(id);
    }
  }
}
