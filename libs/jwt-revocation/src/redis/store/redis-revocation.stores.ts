import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { JwtRevocationConfigError } from '../../errors/jwt-revocation-config.error';
import { RedisEpoch } from './redis-epoch';
import { RedisKeys } from './redis-keys';
import { RedisSessionStore } from './redis-session.store';
import { RedisTokenVersionStore } from './redis-token-version.store';

export interface RedisStoreOptions {
  /** An existing ioredis client; never closed by the stores. */
  client?: Redis;
  /** Or connection options / URL; the connection made from them is closed by `close()`. */
  connection?: RedisOptions | string;
  /** Prefix of every key (inside one `{hash tag}`). Default `jwt-revocation`. */
  keyPrefix?: string;
  /**
   * Access-token lifetime plus clock tolerance, in seconds: how long a version counter outlives
   * its last use and a session's key outlives the session's end.
   */
  tokenLifetimeSeconds: number;
}

/**
 * Token versions and sessions in Redis alone. `start()` checks the server cannot evict the
 * revocation keys and writes the epoch marker whose disappearance reveals a data loss.
 */
export class RedisRevocationStores {
  readonly versions: RedisTokenVersionStore;
  readonly sessions: RedisSessionStore;
  private readonly logger = new Logger('JwtRevocation');
  private readonly client: Redis;
  private readonly ownsClient: boolean;

  constructor(options: RedisStoreOptions) {
    if (!options.client && !options.connection) {
      throw new JwtRevocationConfigError('the Redis stores need a client or a connection', 'Pass `client` (ioredis) or `connection` (a URL or ioredis options).');
    }
    if (!Number.isInteger(options.tokenLifetimeSeconds) || options.tokenLifetimeSeconds <= 0) {
      throw new JwtRevocationConfigError('redis tokenLifetimeSeconds must be a positive integer', 'Set it to accessTokenTtl + clockTolerance.');
    }
    this.ownsClient = !options.client;
    this.client = options.client ?? connect(options.connection!);
    const keys = new RedisKeys(options.keyPrefix ?? 'jwt-revocation');
    const lifetimeMs = options.tokenLifetimeSeconds * 1000;
    this.versions = new RedisTokenVersionStore(this.client, keys, new RedisEpoch(), lifetimeMs);
    this.sessions = new RedisSessionStore(this.client, keys, lifetimeMs);
  }

  async start(): Promise<void> {
    await this.refuseEvictingServer();
    await this.versions.getVersion('\u0000startup'); // creates the epoch marker, or learns the current epoch
  }

  /** Closes the connection only when the stores opened it. */
  async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }

  /**
   * Under an evicting `maxmemory-policy` Redis may drop one user's counter and bring that user's
   * revoked tokens back, which no marker can reveal: refuse to start. Managed services that hide
   * CONFIG get a warning instead.
   */
  private async refuseEvictingServer(): Promise<void> {
    let policy: string | undefined;
    try {
      const reply = (await this.client.config('GET', 'maxmemory-policy')) as string[];
      policy = reply[1];
    } catch {
      this.logger.warn('Cannot read Redis maxmemory-policy: make sure it is noeviction, or revoked tokens may come back');
      return;
    }
    if (policy !== undefined && policy !== 'noeviction') {
      throw new JwtRevocationConfigError(
        `Redis maxmemory-policy is ${policy}, which may evict revocation keys`,
        'Run the Redis that holds revocations with maxmemory-policy noeviction.',
      );
    }
  }
}

function connect(connection: RedisOptions | string): Redis {
  const client = typeof connection === 'string' ? new Redis(connection) : new Redis(connection);
  // Failures reach the callers as rejected commands (a 503); the event itself must not crash the app.
  client.on('error', () => undefined);
  return client;
}
