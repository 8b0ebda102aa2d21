import { Inject, Module, type DynamicModule, type InjectionToken, type ModuleMetadata, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisRevocationStores, type RedisStoreOptions } from './redis-revocation.stores';
import { RedisSessionStore } from './redis-session.store';
import { RedisTokenVersionStore } from './redis-token-version.store';

export interface JwtRevocationRedisStoreOptions extends Omit<RedisStoreOptions, 'client'> {
  /** The app's ioredis client, or the injection token of one; never closed by the stores. */
  client?: Redis | InjectionToken;
  /** Modules to import so a `client` token can be injected, when its module is not global. */
  imports?: ModuleMetadata['imports'];
}

/**
 * Token versions and sessions in Redis alone, as Nest providers. The stores are started (the
 * eviction check, the epoch marker) before anything can use them, and the connection they opened
 * from `connection` is closed when the app shuts down; a given `client` is left open.
 *
 * ```ts
 * JwtRevocationModule.forRootAsync({
 *   imports: [JwtRevocationRedisStoreModule.forFeature({ connection: process.env.REDIS_URL, tokenLifetimeSeconds: 900 + 5 })],
 *   inject: [RedisTokenVersionStore, RedisSessionStore],
 *   useFactory: (tokenVersionStore, sessionStore) => ({ secret, tokenVersionStore, sessionStore }),
 * })
 * ```
 */
@Module({})
export class JwtRevocationRedisStoreModule implements OnApplicationShutdown {
  constructor(@Inject(RedisRevocationStores) private readonly stores: RedisRevocationStores) {}

  static forFeature(options: JwtRevocationRedisStoreOptions): DynamicModule {
    const { client, imports, ...storeOptions } = options;
    const clientToken = client !== undefined && typeof client !== 'object' ? client : undefined;
    const start = async (given: Redis | undefined) => {
      const stores = new RedisRevocationStores({ ...storeOptions, client: given });
      try {
        await stores.start();
      } catch (error) {
        await stores.close();
        throw error;
      }
      return stores;
    };
    return {
      module: JwtRevocationRedisStoreModule,
      imports: imports ?? [],
      providers: [
        clientToken === undefined
          ? { provide: RedisRevocationStores, useFactory: () => start(client as Redis | undefined) }
          : { provide: RedisRevocationStores, useFactory: (given: Redis) => start(given), inject: [clientToken] },
        { provide: RedisTokenVersionStore, useFactory: (stores: RedisRevocationStores) => stores.versions, inject: [RedisRevocationStores] },
        { provide: RedisSessionStore, useFactory: (stores: RedisRevocationStores) => stores.sessions, inject: [RedisRevocationStores] },
      ],
      exports: [RedisTokenVersionStore, RedisSessionStore, RedisRevocationStores],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stores.close();
  }
}
