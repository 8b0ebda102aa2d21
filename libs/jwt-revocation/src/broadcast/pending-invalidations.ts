import type { InvalidationMessage } from './revocation-broadcaster.interface';

const RETRY_INTERVAL_MS = 1000;

/**
 * Invalidations that could not be published, retried every second until sent or until `lifetimeMs`
 * (the cache TTL) has passed since the revocation, after which no instance can still hold the
 * state they would have dropped.
 */
export class PendingInvalidations {
  private readonly pending: Array<{ message: InvalidationMessage; until: number }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly publish: (message: InvalidationMessage) => Promise<boolean>,
    private readonly lifetimeMs: number,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  add(message: InvalidationMessage): void {
    this.pending.push({ message, until: Date.now() + this.lifetimeMs });
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.length = 0;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.retry(), RETRY_INTERVAL_MS);
    this.timer.unref();
  }

  private async retry(): Promise<void> {
    const due = this.pending.splice(0);
    for (const entry of due) {
      if (Date.now() < entry.until && !(await this.publish(entry.message))) this.pending.push(entry);
    }
    this.timer = undefined;
    if (this.pending.length > 0) this.schedule();
  }
}
