/**
 * What instances tell each other. The envelope (`from`, `seq`, `sentAt`) is stamped by the
 * invalidation channel: `sentAt` (publisher's epoch ms) measures propagation lag, `from` and a
 * per-publisher `seq` reveal a lost message. A transport carries every kind alike, `heartbeat` and `leaving` included.
 */
export type InvalidationMessage = (
  | { kind: 'user'; userId: string }
  | { kind: 'sessions'; sessionIds: string[] }
  /** `logoutEveryone()`: every token issued before `revokedBefore` (epoch seconds) is refused. */
  | { kind: 'everyone'; revokedBefore: number }
  /** Channel bookkeeping, never an invalidation: proves the link delivers (see `heartbeatIntervalMs`). */
  | { kind: 'heartbeat' }
  /** Channel bookkeeping: the publisher is stopping gracefully, so its silence from now on means nothing. */
  | { kind: 'leaving' }
) & { sentAt?: number; from?: string; seq?: number };

export interface InvalidationListener {
  /** A message arrived (another instance changed this state, or a heartbeat). */
  onInvalidate(message: InvalidationMessage): void;
  /** Messages may have been missed (reconnect): forget everything. */
  onResync(): void;
}

/**
 * Carries invalidations between app instances: a transport. It delivers each published message
 * to every started instance, the publisher included (heartbeats rely on that echo). While
 * `isConnected()` is false an instance may miss revocations, so it must not trust its cache.
 */
export interface RevocationBroadcaster {
  start(listener: InvalidationListener): Promise<void>;
  publish(message: InvalidationMessage): Promise<void>;
  isConnected(): boolean;
  stop(): Promise<void>;
}
