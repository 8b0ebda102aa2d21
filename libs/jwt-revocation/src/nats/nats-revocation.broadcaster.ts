import { Logger } from '@nestjs/common';
import type { ConnectionOptions, NatsConnection, Subscription } from 'nats';
import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { decodeInvalidation, encodeInvalidation } from '../broadcast/invalidation-message.codec';
import { withinDeadline } from '../broadcast/within-deadline';
import { requireOptionalPeer } from '../optional-peers/load-optional-peer';

export interface NatsBroadcasterOptions {
  /** The app's own NATS connection; only our subscription is removed on shutdown, never the connection. */
  connection?: NatsConnection;
  /** Or the servers to connect to (e.g. `nats://127.0.0.1:4222`); that connection is closed on shutdown. */
  servers?: string | string[];
  /** Further options for that connection (auth, TLS...); ours: reconnect for ever, PING every 5 s, 2 missed = stale. */
  connectionOptions?: ConnectionOptions;
  /** Subject. Default `jwt-revocation.invalidate`. */
  subject?: string;
  /** A publish the server has not confirmed (flush) within this rejects. Default 5000 ms. */
  publishTimeoutMs?: number;
}

type NatsModule = { connect(options: ConnectionOptions): Promise<NatsConnection> };

const FIRST_CONNECT_WAIT_MS = 5000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Invalidations over NATS core pub/sub (at most once). The client reconnects by itself and
 * replays the subscription; `isConnected()` is false from a disconnect until the server has
 * confirmed the subscription again, and each (re)subscription is a resync.
 */
export class NatsRevocationBroadcaster implements RevocationBroadcaster {
  private readonly logger = new Logger('JwtRevocation');
  private readonly subject: string;
  private readonly publishTimeoutMs: number;
  private connection: NatsConnection | undefined;
  private subscription: Subscription | undefined;
  private listener: InvalidationListener | undefined;
  private subscribed = false;
  private stopped = false;
  private stopWatching: () => void = () => undefined;

  constructor(private readonly options: NatsBroadcasterOptions) {
    if (!options.connection && !options.servers) throw new Error('NatsRevocationBroadcaster needs `connection` (a NatsConnection) or `servers`.');
    this.subject = options.subject ?? 'jwt-revocation.invalidate';
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  }

  /** Resolves once subscribed, or after the first connection attempts fail for a while (it keeps trying). */
  async start(listener: InvalidationListener): Promise<void> {
    this.listener = listener;
    const connecting = this.options.connection ? Promise.resolve(this.options.connection) : this.connect();
    const subscribed = connecting.then((connection) => this.subscribe(connection));
    subscribed.catch(() => undefined);
    await withinDeadline(subscribed, FIRST_CONNECT_WAIT_MS, 'NATS connection').catch(() => undefined);
  }

  async publish(message: InvalidationMessage): Promise<void> {
    const connection = this.connection;
    if (!connection || connection.isClosed()) throw new Error('NATS is not connected');
    connection.publish(this.subject, encoder.encode(encodeInvalidation(message)));
    // A round trip: the server has the message (or the client buffers it while reconnecting; then this times out).
    await withinDeadline(connection.flush(), this.publishTimeoutMs, 'NATS publish');
  }

  isConnected(): boolean {
    return this.subscribed && this.connection !== undefined && !this.connection.isClosed();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subscribed = false;
    this.stopWatching();
    this.subscription?.unsubscribe();
    if (!this.options.connection) await this.connection?.close().catch(() => undefined);
  }

  private async connect(): Promise<NatsConnection> {
    const nats = requireOptionalPeer<NatsModule>('nats', 'NatsRevocationBroadcaster');
    const connection = await nats.connect({
      servers: this.options.servers,
      reconnect: true,
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      reconnectTimeWait: 250,
      pingInterval: 5000,
      maxPingOut: 2,
      timeout: 2000,
      ...this.options.connectionOptions,
    });
    if (this.stopped) await connection.close().catch(() => undefined);
    return connection;
  }

  private async subscribe(connection: NatsConnection): Promise<void> {
    if (this.stopped) return;
    this.connection = connection;
    this.subscription = connection.subscribe(this.subject, {
      callback: (error, received) => {
        if (error || this.stopped) return;
        const message = decodeInvalidation(decoder.decode(received.data));
        if (message) this.listener?.onInvalidate(message);
      },
    });
    this.watch(connection);
    await this.confirmSubscribed(connection);
  }

  /** The server has processed our SUB once a flush comes back: from then on nothing is missed. */
  private async confirmSubscribed(connection: NatsConnection): Promise<void> {
    await connection.flush();
    if (this.stopped) return;
    this.subscribed = true;
    this.listener?.onResync(); // anything published while we were away is unknown: forget it all
  }

  private watch(connection: NatsConnection): void {
    const status = connection.status();
    // The iterator nats returns can be stopped (a QueuedIterator), though typed as a plain AsyncIterable.
    this.stopWatching = () => (status as { stop?: () => void }).stop?.();
    void (async () => {
      for await (const event of status) {
        if (this.stopped) return;
        if (event.type === 'disconnect' || event.type === 'staleConnection') {
          if (this.subscribed) this.logger.warn('Revocation channel (NATS) lost: reading the source of truth until it is back');
          this.subscribed = false;
        } else if (event.type === 'reconnect') {
          await this.confirmSubscribed(connection).catch(() => undefined);
        }
      }
    })();
    void connection.closed().then(() => (this.subscribed = false));
  }
}
