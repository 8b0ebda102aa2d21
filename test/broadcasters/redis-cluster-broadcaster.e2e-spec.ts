import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { RedisClusterRevocationBroadcaster } from 'nestjs-jwt-revocation/redis';
import { runBroadcasterContract } from 'nestjs-jwt-revocation/testing';
import { recoveryDuringTraffic } from '../support/failover-traffic';
import { command, RedisServers } from '../support/redis-servers';
import { TcpProxy, waitUntil } from '../support/tcp-proxy';

// Sharded pub/sub needs Redis >= 7; these suites start their own redis-server processes.
const version = RedisServers.version();
const usable = version !== undefined && Number(version.split('.')[0]) >= 7;
if (!usable) {
  if (process.env.CI === 'true') throw new Error(`CI=true needs redis-server >= 7 for the Redis Cluster suite (found ${version ?? 'none'})`);
  console.warn(`Redis Cluster suite skipped: needs redis-server >= 7 (found ${version ?? 'none'})`);
}

/** Every node reached through a proxy the test can cut: natMap sends the client to the proxies. */
async function proxied(ports: number[]) {
  const proxies = await Promise.all(ports.map((port) => new TcpProxy('127.0.0.1', port).start()));
  const natMap = Object.fromEntries(ports.map((port, i) => [`127.0.0.1:${port}`, { host: '127.0.0.1', port: proxies[i].port }]));
  return { proxies, natMap };
}

const clientOptions = { redisOptions: { connectTimeout: 1000, maxRetriesPerRequest: 1 } };

if (usable) {
  runBroadcasterContract('RedisClusterRevocationBroadcaster (3 masters, sharded pub/sub)', async () => {
    const servers = new RedisServers();
    try {
      const ports = await servers.cluster(3, 1);
      const { proxies, natMap } = await proxied(ports);
      const channel = `jwt-revocation:contract:${randomBytes(6).toString('hex')}`;
      const raw = new Cluster([{ host: '127.0.0.1', port: ports[0] }]);
      return {
        create: ({ cuttable }) =>
          new RedisClusterRevocationBroadcaster({
            nodes: [{ host: '127.0.0.1', port: cuttable ? proxies[0].port : ports[0] }],
            clusterOptions: cuttable ? { ...clientOptions, natMap } : clientOptions,
            channel,
            probeIntervalMs: 500,
            publishTimeoutMs: 2000,
          }),
        publishRaw: async (text) => void (await raw.spublish(channel, text)),
        cutLink: () => proxies.forEach((proxy) => proxy.cut()),
        blackHoleLink: () => proxies.forEach((proxy) => proxy.blackHole()),
        restoreLink: () => proxies.forEach((proxy) => proxy.restore()),
        createOnBorrowedClient: async () => {
          const client = new Cluster([{ host: '127.0.0.1', port: ports[0] }]);
          return {
            broadcaster: new RedisClusterRevocationBroadcaster({ client, channel }),
            clientStillWorks: async () => (await client.set(`borrowed:${channel}`, '1')) === 'OK',
            release: async () => client.disconnect(),
          };
        },
        close: async () => {
          raw.disconnect();
          await Promise.all(proxies.map((proxy) => proxy.stop()));
          await servers.stop();
        },
      };
    } catch (error) {
      await servers.stop();
      throw error;
    }
  }, { blackHoleBoundMs: 10_000 });
}

(usable ? describe : describe.skip)('RedisClusterRevocationBroadcaster when the channel’s master fails', () => {
  let servers: RedisServers;
  let ports: number[];

  beforeAll(async () => {
    servers = new RedisServers();
    ports = await servers.cluster(3, 1);
  });
  afterAll(async () => {
    await servers?.stop();
  });

  it('during traffic, messages flow again after the replica takes over, and the subscriber resynced', async () => {
    const channel = `jwt-revocation:failover:${randomBytes(6).toString('hex')}`;
    const slot = Number(await command(ports[0], ['CLUSTER', 'KEYSLOT', channel]));
    const owner = await masterOf(ports, slot);
    const recoveredMs = await recoveryDuringTraffic({
      make: () =>
        new RedisClusterRevocationBroadcaster({
          nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
          clusterOptions: clientOptions,
          channel,
          probeIntervalMs: 500,
          publishTimeoutMs: 1000,
        }),
      fault: async (subscriber) => {
        await servers.kill(owner);
        await waitUntil(async () => !subscriber.isConnected(), 5000); // the subscriber notices the loss itself
      },
      switched: async () => (await masterOf(ports.filter((port) => port !== owner), slot)) !== owner,
    });
    console.log(`cluster failover: subscription back and messages flowing ${recoveredMs} ms after the master was killed`);
  });
});

/** The port of the master serving `slot`, as the surviving nodes see it. */
async function masterOf(ports: number[], slot: number): Promise<number> {
  for (const port of ports) {
    const slots = (await command(port, ['CLUSTER', 'SLOTS']).catch(() => undefined)) as Array<[number, number, [string, number]]> | undefined;
    const range = slots?.find(([from, to]) => from <= slot && slot <= to);
    if (range) return Number(range[2][1]);
  }
  throw new Error(`no node answers CLUSTER SLOTS for slot ${slot}`);
}
