import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRevocationBroadcaster } from 'nestjs-jwt-revocation/redis';
import { runBroadcasterContract } from 'nestjs-jwt-revocation/testing';
import { testRedisUrl } from '../support/databases';
import { TcpProxy } from '../support/tcp-proxy';

const redisUrl = testRedisUrl();
if (!redisUrl) console.warn('Redis broadcaster suite skipped: set TEST_REDIS_URL (CI=true requires it)');

if (redisUrl) {
  runBroadcasterContract('RedisRevocationBroadcaster (pub/sub)', async () => {
    const target = new URL(redisUrl);
    const proxy = await new TcpProxy(target.hostname, Number(target.port || 6379)).start();
    const channel = `jwt-revocation:contract:${randomBytes(6).toString('hex')}`;
    const raw = new Redis(redisUrl);
    return {
      create: ({ cuttable }) =>
        new RedisRevocationBroadcaster({
          connection: { host: target.hostname, port: cuttable ? proxy.port : Number(target.port || 6379), maxRetriesPerRequest: 1, connectTimeout: 1000 },
          channel,
          probeIntervalMs: 500,
        }),
      publishRaw: async (text) => void (await raw.publish(channel, text)),
      cutLink: () => proxy.cut(),
      blackHoleLink: () => proxy.blackHole(),
      restoreLink: () => proxy.restore(),
      createOnBorrowedClient: async () => {
        const client = new Redis(redisUrl);
        return {
          broadcaster: new RedisRevocationBroadcaster({ client, channel }),
          clientStillWorks: async () => (await client.ping()) === 'PONG',
          release: async () => client.disconnect(),
        };
      },
      close: async () => {
        raw.disconnect();
        await proxy.stop();
      },
    };
  }, { blackHoleBoundMs: 10_000 });
} else {
  describe.skip('RedisRevocationBroadcaster (pub/sub)', () => it.todo('needs TEST_REDIS_URL'));
}
