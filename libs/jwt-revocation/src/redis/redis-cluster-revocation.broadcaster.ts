import { Logger } from '@nestjs/common';
import { Cluster, type ClusterNode, type ClusterOptions, type Redis } from 'ioredis';
import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { decodeInvalidation, encodeInvalidation } from '../broadcast/invalidation-message.codec';
import { settlesWithin } from '../broadcast/settles-within';
import { withinDeadline } from '../broadcast/within-deadline';

export interface RedisClusterBroadcasterOptions {
  /** An existing ioredis `Cluster` to publish with (and to learn the topology from); never disconnected by us. */
  client?: Cluster;
  /** Or the startup nodes of the cluster; the connections made from them are closed on shutdown. */
  nodes?: ClusterNode[];
  /** ioredis cluster options for `nodes` (redisOptions for password, TLS, natMap...). */
  clusterOptions?: ClusterOptions;
  /** Shard channel (SPUBLISH/SSUBSCRIBE). Default `jwt-revocation:invalidate`. */
  channel?: string;
  /** How often the subscription is checked (PING, and that its node still owns the channel's slot). Default 2000 ms. */
  probeIntervalMs?: number;
  /** A publish not confirmed within this rejects (the cluster client queues commands while it reconnects). Default 5000 ms. */
  publishTimeoutMs?: number;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;
const SUBSCRIBE_TIMEOUT_MS = 5000;

/**
 * Invalidations over Redis Cluster sharded pub/sub (Redis >= 7): published with SPUBLISH, heard
 * through one SSUBSCRIBE connection to the master owning the channel's slot. When that connection
 * is lost, the master fails over or the slot moves, `isConnected()` is false until it has
 * subscribed on the new owner, and every resubscription is a resync.
 */
export class RedisClusterRevocationBroadcaster implements RevocationBroadcaster {
  private readonly logger = new Logger('JwtRevocation');
  private readonly channel: string;
  private readonly cluster: Cluster;
  private readonly ownsCluster: boolean;
  private readonly probeIntervalMs: number;
  private readonly publishTimeoutMs: number;
  private listener: InvalidationListener | undefined;
  private subscriber: Redis | undefined;
  private subscribedNode: string | undefined;
  private subscribed = false;
  private stopped = false;
  private failures = 0;
  private slot: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(options: RedisClusterBroadcasterOptions) {
    if (!options.client && !options.nodes?.length) {
      throw new Error('RedisClusterRevocationBroadcaster needs `client` (an ioredis Cluster) or `nodes` (its startup nodes).');
    }
    this.channel = options.channel ?? 'jwt-revocation:invalidate';
    this.probeIntervalMs = options.probeIntervalMs ?? 2000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    this.ownsCluster = !options.client;
    this.cluster = options.client ?? new Cluster(options.nodes!, options.clusterOptions);
    if (this.ownsCluster) this.cluster.on('error', () => undefined); // reported through isConnected(); never crash the app
  }

  /** Resolves once subscribed, or when the first attempt fails (it keeps retrying). */
  async start(listener: InvalidationListener): Promise<void> {
    this.listener = listener;
    await this.subscribe();
    this.probeTimer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
  }

  async publish(message: InvalidationMessage): Promise<void> {
    const published = this.cluster.spublish(this.channel, encodeInvalidation(message));
    published.catch(() => undefined); // once the deadline has rejected, a later failure is nobody's
    await withinDeadline(published, this.publishTimeoutMs, 'SPUBLISH');
  }

  isConnected(): boolean {
    return this.subscribed && this.subscriber?.status === 'ready';
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subscribed = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.probeTimer);
    this.subscriber?.disconnect();
    this.subscriber = undefined;
    if (this.ownsCluster) this.cluster.disconnect();
  }

  private async subscribe(): Promise<void> {
    if (this.stopped) return;
    let subscriber: Redis | undefined;
    try {
      await this.clusterReady();
      this.slot ??= Number(await this.cluster.call('CLUSTER', 'KEYSLOT', this.channel));
      const nodeKey = this.cluster.slots[this.slot]?.[0];
      const node = this.cluster.nodes('master').find((candidate) => `${candidate.options.host}:${candidate.options.port}` === nodeKey);
      if (!nodeKey || !node) throw new Error(`no master known for slot ${this.slot}`);
      // Our own connection, reconnected by us: ioredis' own resubscription would hide the gap.
      const connection = node.duplicate({ lazyConnect: true, retryStrategy: () => null, autoResubscribe: false, enableOfflineQueue: true, maxRetriesPerRequest: 0 });
      subscriber = connection;
      this.subscriber = connection;
      this.watch(connection);
      // Bounded: ioredis never settles an SSUBSCRIBE answered with MOVED (it only emits 'moved').
      await withinDeadline(
        connection.connect().then(() => connection.ssubscribe(this.channel)),
        SUBSCRIBE_TIMEOUT_MS,
        'SSUBSCRIBE',
      );
      if (this.stopped || this.subscriber !== subscriber) return;
      this.subscribedNode = nodeKey;
      this.subscribed = true;
      this.failures = 0;
      this.listener?.onResync(); // anything published while we were away is unknown: forget it all
    } catch {
      if (subscriber) this.lost(subscriber);
      else this.retryLater();
    }
  }

  private watch(subscriber: Redis): void {
    subscriber.on('smessage', (channel: string, raw: string) => {
      if (channel !== this.channel || this.stopped || this.subscriber !== subscriber) return;
      const message = decodeInvalidation(raw);
      if (message) this.listener?.onInvalidate(message);
    });
    subscriber.on('close', () => this.lost(subscriber));
    subscriber.on('moved', () => this.lost(subscriber)); // asked the wrong node: the slot moved
    // The server drops shard subscriptions when the slot moves or its master is demoted: an unsolicited SUNSUBSCRIBE.
    subscriber.on('error', (error: Error) => {
      if (/sunsubscribe/i.test(error.message)) this.lost(subscriber);
    });
  }

  private lost(subscriber: Redis): void {
    if (this.subscriber !== subscriber) return;
    this.subscriber = undefined;
    if (this.subscribed && !this.stopped) this.logger.warn('Revocation channel (Redis Cluster) lost: reading the source of truth until it is back');
    this.subscribed = false;
    this.subscribedNode = undefined;
    subscriber.disconnect();
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.failures++);
    this.retryTimer = setTimeout(() => {
      // The topology may have changed (failover): learn it before choosing the node again.
      this.cluster.refreshSlotsCache(() => void this.subscribe());
    }, delay * (0.5 + Math.random() / 2));
    this.retryTimer.unref();
  }

  /** A silent connection or a slot now served elsewhere raises no event here: look. */
  private async probe(): Promise<void> {
    const subscriber = this.subscriber;
    if (!subscriber || !this.subscribed) return;
    const answered = await settlesWithin(() => subscriber.ping(), this.probeIntervalMs);
    if (!answered) return this.lost(subscriber);
    this.cluster.refreshSlotsCache(() => {
      if (this.subscriber === subscriber && this.slot !== undefined && this.cluster.slots[this.slot]?.[0] !== this.subscribedNode) this.lost(subscriber);
    });
  }

  private async clusterReady(): Promise<void> {
    if (this.cluster.status === 'ready') return;
    if (this.cluster.status === 'wait') void this.cluster.connect().catch(() => undefined);
    let onReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => this.cluster.once('ready', (onReady = resolve)));
    const isReady = await settlesWithin(() => ready, 5000);
    this.cluster.removeListener('ready', onReady);
    if (!isReady) throw new Error('cluster not ready');
  }
}
