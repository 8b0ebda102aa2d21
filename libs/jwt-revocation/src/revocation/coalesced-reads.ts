/**
 * One store read per key at a time: concurrent misses for the same user or session (after a
 * flush, say) share the read already in flight instead of each starting their own. A read is only
 * shared while the cache epoch it started in is still current, so a request that arrives after an
 * invalidation never gets an answer read before it.
 */
export class CoalescedReads {
  private readonly inFlight = new Map<string, { epoch: number; read: Promise<unknown> }>();

  run<T>(key: string, epoch: number, read: () => Promise<T>): Promise<T> {
    const current = this.inFlight.get(key);
    if (current && current.epoch === epoch) return current.read as Promise<T>;
    const started = read();
    const entry = { epoch, read: started };
    this.inFlight.set(key, entry);
    const done = () => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
    };
    started.then(done, done);
    return started;
  }

  get size(): number {
    return this.inFlight.size;
  }
}
