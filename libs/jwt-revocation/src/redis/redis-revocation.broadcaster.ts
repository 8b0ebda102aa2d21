import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { decodeInvalidation, encodeInvalidation } from '../broadcast/invalidation-message.codec';
import { settlesWithin } from '../broadcast/settles-within';

export interface RedisBroadcasterOptions {
  /** An existing ioredis client to publish with; it is never disconnected by us. */
  client?: Redis;
  /** Or connection options / URL; the connections made from them are closed on shutdown. */
  connection?: RedisOptions | string;
  /** Pub/sub channel. Default `jwt-revocation:invalidate`. */
  channel?: string;
  /**
   * How often the subscription is PINGed; no answer within the interval drops the connection and
   * reconnects (a black-holed link raises no error by itself). Default 5000 ms; 0 turns it off.
   */
  probeIntervalMs?: number;
}

/**
 * Tells every instance to drop revoked state from its cache, over Redis pub/sub. While the
 * subscription is down `isConnected()` is false, so instances read the source of truth; after
 * resubscribing they flush their caches, since messages may have been missed meanwhile.
 */
export class RedisRevocationBroadcaster implements RevocationBroadcaster {
  private readonly logger = new Logger('JwtRevocation');
  private readonly channel: string;
  private readonly publisher: Redis;
  private readonly ownsPublisher: boolean;
  private subscriber: Redis | undefined;
  private subscribed = false;
  private stopped = false;
  private readonly probeIntervalMs: number;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(options: RedisBroadcasterOptions) {
    if (!options.client && !options.connection) {
      throw new Error('RedisRevocationBroadcaster needs `client` or `connection` (a URL or ioredis options).');
    }
    this.channel = options.channel ?? 'jwt-revocation:invalidate';
    this.probeIntervalMs = options.probeIntervalMs ?? 5000;
    this.ownsPublisher = !options.client;
    this.publisher = options.client ?? createClient(options.connection!);
  }

  /** Resolves once subscribed, or when the first connection attempt fails (it keeps retrying). */
  async start(listener: InvalidationListener): Promise<void> {
    let firstSubscription: () => void = () => undefined;
    const subscribedOnce = new Promise<void>((resolve) => (firstSubscription = resolve));
    // A subscriber connection cannot publish, so it is always our own duplicate.
    const subscriber = this.publisher.duplicate({ autoResubscribe: false, lazyConnect: true, enableOfflineQueue: true });
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined); // reported through 'close'/'ready'; never crash the app
    subscriber.on('close', () => {
      if (this.subscribed && !this.stopped) this.logger.warn('Revocation channel lost: reading the source of truth until it is back');
      this.subscribed = false;
    });
    subscriber.on('ready', () => {
      subscriber
        .subscribe(this.channel)
        .then(() => {
          this.subscribed = true;
          listener.onResync(); // anything published while we were away is unknown: forget it all
          firstSubscription();
        })
        .catch(() => subscriber.disconnect(true));
    });
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel || this.stopped) return; // already read off the socket when stop() came
      const message = decodeInvalidation(raw);
      if (message) listener.onInvalidate(message);
    });
    if (this.probeIntervalMs > 0) {
      this.probeTimer = setInterval(() => void this.probe(subscriber), this.probeIntervalMs);
      this.probeTimer.unref();
    }
    // Not fatal: isConnected() stays false until it is up, and the module warns.
    await subscriber.connect().then(
      () => subscribedOnce,
      () => undefined,
    );
  }

  /** A PING unanswered in time: the link is silent; drop it so ioredis reconnects (and we resync). */
  private async probe(subscriber: Redis): Promise<void> {
    if (!this.subscribed || this.stopped) return;
    if (!(await settlesWithin(() => subscriber.ping(), this.probeIntervalMs)) && this.subscribed && !this.stopped) {
      subscriber.disconnect(true);
    }
  }

  async publish(message: InvalidationMessage): Promise<void> {
    await this.publisher.publish(this.channel, encodeInvalidation(message));
  }

  isConnected(): boolean {
    return this.subscribed && this.subscriber?.status === 'ready';
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subscribed = false;
    clearInterval(this.probeTimer);
    this.subscriber?.disconnect();
    if (this.ownsPublisher) this.publisher.disconnect();
  }
}

function createClient(connection: RedisOptions | string): Redis {
  const client = typeof connection === 'string' ? new Redis(connection, { lazyConnect: false }) : new Redis(connection);
  client.on('error', () => undefined);
  return client;
}
