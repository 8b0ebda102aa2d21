import { Injectable } from '@nestjs/common';
import type { InvalidationMessage } from '../broadcast/revocation-broadcaster.interface';

/** Called with every invalidation this instance applies, local or from another instance. */
export type RevocationListener = (message: InvalidationMessage) => void;

/**
 * Who hears about revocations once the checker has applied them: the live connection registry,
 * and anything else an app adds. The checker's `forget()` sees every revocation on every
 * instance, so it is the one place that notifies; a listener that throws never stops the others.
 */
@Injectable()
export class RevocationListeners {
  private readonly listeners = new Set<RevocationListener>();
  private readonly resyncListeners = new Set<() => void>();

  /** Adds a listener; call the returned function to remove it. */
  add(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when invalidations may have been missed (the broadcaster reconnected); returns the remover. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  notify(message: InvalidationMessage): void {
    for (const listener of this.listeners) callSafely(() => listener(message));
  }

  notifyResync(): void {
    for (const listener of this.resyncListeners) callSafely(listener);
  }
}

function callSafely(call: () => void): void {
  try {
    call();
  } catch {
    // A listener's failure is its own; the revocation itself is already applied.
  }
}
