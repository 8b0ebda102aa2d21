import { Logger } from '@nestjs/common';
import type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import { decodeInvalidation } from '../broadcast/invalidation-message.codec';
import { requireOptionalPeer } from '../optional-peers/load-optional-peer';
import { notifyPayloads } from './notify-payloads';
import type { PgClient, PgModule, PgPool, PostgresConnectionConfig, PostgresQueryable } from './pg-types';

export interface PostgresBroadcasterOptions {
  /** Where to open the listening connection (and the publishing pool unless `pool` is given): a URL or node-postgres `ClientConfig`. */
  connection: string | PostgresConnectionConfig;
  /** The app's own `pg.Pool` (anything with `query(text, values)`) to publish with; never ended by us. */
  pool?: PostgresQueryable;
  /** NOTIFY channel (at most 63 bytes). Default `jwt_revocation`. */
  channel?: string;
  /** Connect and query timeout of the connections we open, in ms. Default 5000. */
  timeoutMs?: number;
  /** How often the listening connection is probed (`SELECT 1`): a silent connection is dropped and reopened. Default 5000 ms. */
  probeIntervalMs?: number;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/**
 * Tells every instance to drop revoked state from its cache, over PostgreSQL LISTEN/NOTIFY on the
 * database the app already has. One dedicated connection LISTENs (LISTEN is session state, so it
 * cannot come from a transaction-pooling proxy); it is reopened with backoff when lost, and every
 * (re)subscription is a resync since notifications sent meanwhile are gone.
 */
export class PostgresRevocationBroadcaster implements RevocationBroadcaster {
  private readonly logger = new Logger('JwtRevocation');
  private readonly pg: PgModule;
  private readonly channel: string;
  private readonly timeoutMs: number;
  private readonly probeIntervalMs: number;
  private readonly clientConfig: PostgresConnectionConfig;
  private readonly publisher: PostgresQueryable;
  private readonly ownPool: PgPool | undefined;
  private listener: InvalidationListener | undefined;
  private listening: PgClient | undefined;
  private subscribed = false;
  private stopped = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(options: PostgresBroadcasterOptions) {
    if (!options?.connection) throw new Error('PostgresRevocationBroadcaster needs `connection` (a URL or node-postgres ClientConfig) for its listening connection.');
    this.channel = options.channel ?? 'jwt_revocation';
    if (this.channel.length === 0 || Buffer.byteLength(this.channel) > 63) throw new Error('PostgresRevocationBroadcaster `channel` must be 1 to 63 bytes long.');
    this.pg = requireOptionalPeer<PgModule>('pg', 'PostgresRevocationBroadcaster');
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.probeIntervalMs = options.probeIntervalMs ?? 5000;
    const base = typeof options.connection === 'string' ? { connectionString: options.connection } : options.connection;
    // Bounded by default: a connection attempt or a query never waits forever on a silent network.
    this.clientConfig = { connectionTimeoutMillis: this.timeoutMs, query_timeout: this.timeoutMs, keepAlive: true, ...base };
    if (options.pool) {
      this.publisher = options.pool;
    } else {
      this.ownPool = new this.pg.Pool({ ...this.clientConfig, max: 2 });
      this.ownPool.on('error', () => undefined); // an idle client lost; the next query opens another
      this.publisher = this.ownPool;
    }
  }

  /** Resolves once listening, or when the first attempt fails (it keeps retrying; isConnected() stays false). */
  async start(listener: InvalidationListener): Promise<void> {
    this.listener = listener;
    await this.listen();
    this.probeTimer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
  }

  async publish(message: InvalidationMessage): Promise<void> {
    for (const payload of notifyPayloads(message)) {
      await this.publisher.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
    }
  }

  isConnected(): boolean {
    return this.subscribed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subscribed = false;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.probeTimer);
    const listening = this.listening;
    this.listening = undefined;
    await Promise.all([listening?.end().catch(() => undefined), this.ownPool?.end().catch(() => undefined)]);
  }

  private async listen(): Promise<void> {
    const client = new this.pg.Client(this.clientConfig);
    client.on('error', () => this.lost(client)); // never crash the app; reconnect instead
    client.on('end', () => this.lost(client));
    client.on('notification', (notification) => {
      if (notification.channel !== this.channel || notification.payload === undefined) return;
      const message = decodeInvalidation(notification.payload);
      if (message) this.listener?.onInvalidate(message);
    });
    this.listening = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdentifier(this.channel)}`);
    } catch {
      this.lost(client);
      return;
    }
    if (this.stopped || this.listening !== client) return;
    this.subscribed = true;
    this.failures = 0;
    this.listener?.onResync(); // anything notified while we were away is unknown: forget it all
  }

  private lost(client: PgClient): void {
    if (this.listening !== client) return;
    this.listening = undefined;
    if (this.subscribed && !this.stopped) this.logger.warn('Revocation channel (PostgreSQL LISTEN) lost: reading the source of truth until it is back');
    this.subscribed = false;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.failures++);
    this.reconnectTimer = setTimeout(() => void this.listen(), delay * (0.5 + Math.random() / 2));
    this.reconnectTimer.unref();
  }

  /** A black-holed connection raises no error; a query that does not answer in time shows it. */
  private async probe(): Promise<void> {
    const client = this.listening;
    if (!client || !this.subscribed) return;
    try {
      await client.query('SELECT 1');
    } catch {
      this.lost(client);
    }
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
