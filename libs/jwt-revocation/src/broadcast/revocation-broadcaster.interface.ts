/** A change other instances must drop from their caches; `sentAt` (publisher's epoch ms) measures propagation lag. */
export type InvalidationMessage = (
  | { kind: 'user'; userId: string }
  | { kind: 'sessions'; sessionIds: string[] }
  /** `logoutEveryone()`: every token issued before `revokedBefore` (epoch seconds) is refused. */
  | { kind: 'everyone'; revokedBefore: number }
) & { sentAt?: number };

export interface InvalidationListener {
  /** Another instance changed this state. */
  onInvalidate(message: InvalidationMessage): void;
  /** Messages may have been missed (reconnect): forget everything. */
  onResync(): void;
}

/**
 * Carries invalidations between app instances. While `isConnected()` is false an instance
 * may miss revocations, so it must not trust its cache.
 */
export interface RevocationBroadcaster {
  start(listener: InvalidationListener): Promise<void>;
  publish(message: InvalidationMessage): Promise<void>;
  isConnected(): boolean;
  stop(): Promise<void>;
}
