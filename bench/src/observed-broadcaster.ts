import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from 'nestjs-jwt-revocation';

/** `performance.now()` at which a message was published, or applied to this instance's cache. */
export type BroadcastObserver = (message: InvalidationMessage, at: number) => void;

/**
 * Wraps a broadcaster to time it from outside, through the public interface only: `onPublish`
 * runs just before a message goes out, `onApplied` just after the app's own listener (the
 * cache invalidation) has run.
 */
export class ObservedBroadcaster implements RevocationBroadcaster {
  constructor(
    private readonly inner: RevocationBroadcaster,
    private readonly observers: { onPublish?: BroadcastObserver; onApplied?: BroadcastObserver } = {},
  ) {}

  start(listener: InvalidationListener): Promise<void> {
    return this.inner.start({
      onInvalidate: (message) => {
        listener.onInvalidate(message);
        this.observers.onApplied?.(message, performance.now());
      },
      onResync: () => listener.onResync(),
    });
  }

  publish(message: InvalidationMessage): Promise<void> {
    this.observers.onPublish?.(message, performance.now());
    return this.inner.publish(message);
  }

  isConnected(): boolean {
    return this.inner.isConnected();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}
