/** setTimeout's longest delay (about 24.8 days); a later deadline is reached in steps. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * One timer per key, fired at an absolute time: a live connection closes when its token expires.
 * Timers are unref'd so open connections never keep a process alive on their own.
 */
export class ExpiryTimers<K> {
  private readonly timers = new Map<K, NodeJS.Timeout>();

  constructor(private readonly onExpire: (key: K) => void) {}

  /** (Re)schedules `key` to expire at `atMs` (epoch ms); a time already past fires on the next tick. */
  schedule(key: K, atMs: number): void {
    this.cancel(key);
    const delay = Math.max(0, atMs - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (delay > MAX_TIMER_DELAY_MS) this.schedule(key, atMs);
      else this.onExpire(key);
    }, Math.min(delay, MAX_TIMER_DELAY_MS));
    timer.unref();
    this.timers.set(key, timer);
  }

  cancel(key: K): void {
    const timer = this.timers.get(key);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(key);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
