/** Publishers remembered at most; the oldest heard is forgotten first (restarted instances come with new ids). */
const MAX_PUBLISHERS = 1000;

/**
 * The last sequence number seen from each publisher on the channel, to notice a lost message: a
 * number further on than the next one expected. The first message of a publisher sets where it is.
 */
export class PublisherSequences {
  private readonly last = new Map<string, number>();

  /** Records an invalidation; true when messages before it were missed. */
  message(from: string, seq: number): boolean {
    const last = this.last.get(from);
    if (last !== undefined && seq <= last) return false; // a late retry or a duplicate: nothing new
    this.remember(from, seq);
    return last !== undefined && seq > last + 1;
  }

  /** Records a heartbeat, which carries its publisher's last sequence number; true when that one was missed. */
  heartbeat(from: string, seq: number): boolean {
    const last = this.last.get(from);
    if (last !== undefined && seq <= last) return false;
    this.remember(from, seq);
    return last !== undefined;
  }

  clear(): void {
    this.last.clear();
  }

  private remember(from: string, seq: number): void {
    this.last.delete(from);
    this.last.set(from, seq);
    if (this.last.size > MAX_PUBLISHERS) this.last.delete(this.last.keys().next().value!);
  }
}
