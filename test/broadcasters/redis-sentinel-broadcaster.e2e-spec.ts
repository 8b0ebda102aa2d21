import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisRevocationBroadcaster } from 'nestjs-jwt-revocation/redis';
import { runBroadcasterContract } from 'nestjs-jwt-revocation/testing';
import { recoveryDuringTraffic } from '../support/failover-traffic';
import { command, RedisServers } from '../support/redis-servers';
import { TcpProxy, waitUntil } from '../support/tcp-proxy';

// Sentinel is plain pub/sub on whichever server the sentinels name master: the same broadcaster,
// given ioredis' `sentinels` + `name`. These suites start their own redis-server processes.
const version = RedisServers.version();
if (!version) {
  if (process.env.CI === 'true') throw new Error('CI=true needs redis-server for the Redis Sentinel suite');
  console.warn('Redis Sentinel suite skipped: redis-server is not installed');
}

const NAME = 'jwtrev';
const sentinelOptions = (sentinels: number[], extra: Partial<RedisOptions> = {}): RedisOptions => ({
  sentinels: sentinels.map((port) => ({ host: '127.0.0.1', port })),
  name: NAME,
  maxRetriesPerRequest: 1,
  connectTimeout: 1000,
  failoverDetector: true,
  ...extra,
});

if (version) {
  runBroadcasterContract('RedisRevocationBroadcaster through Sentinel (master, replica, 3 sentinels)', async () => {
    const servers = new RedisServers();
    try {
      const group = await servers.sentinelGroup(NAME);
      const targets = [group.master, group.replica, ...group.sentinels];
      const proxies = await Promise.all(targets.map((port) => new TcpProxy('127.0.0.1', port).start()));
      const proxyOf = (port: number) => proxies[targets.indexOf(port)].port;
      // Sentinels answer with the real address of the master: natMap sends the cuttable client to its proxy.
      const natMap = Object.fromEntries([group.master, group.replica].map((port) => [`127.0.0.1:${port}`, { host: '127.0.0.1', port: proxyOf(port) }]));
      const channel = `jwt-revocation:contract:${randomBytes(6).toString('hex')}`;
      const raw = new Redis(sentinelOptions(group.sentinels));
      return {
        create: ({ cuttable }) =>
          new RedisRevocationBroadcaster({
            connection: cuttable ? sentinelOptions(group.sentinels.map(proxyOf), { natMap }) : sentinelOptions(group.sentinels),
            channel,
            probeIntervalMs: 500,
          }),
        publishRaw: async (text) => void (await raw.publish(channel, text)),
        cutLink: () => proxies.forEach((proxy) => proxy.cut()),
        blackHoleLink: () => proxies.forEach((proxy) => proxy.blackHole()),
        restoreLink: () => proxies.forEach((proxy) => proxy.restore()),
        createOnBorrowedClient: async () => {
          const client = new Redis(sentinelOptions(group.sentinels));
          return {
            broadcaster: new RedisRevocationBroadcaster({ client, channel }),
            clientStillWorks: async () => (await client.ping()) === 'PONG',
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

(version ? describe : describe.skip)('RedisRevocationBroadcaster through Sentinel when the master fails', () => {
  let servers: RedisServers;
  let group: Awaited<ReturnType<RedisServers['sentinelGroup']>>;

  beforeAll(async () => {
    servers = new RedisServers();
    group = await servers.sentinelGroup(NAME);
  });
  afterAll(async () => {
    await servers?.stop();
  });

  const currentMaster = async () => Number(((await command(group.sentinels[0], ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME])) as [string, string])[1]);

  /** Traffic from one instance to another while `fault` runs: ms until messages flow again from a new master, after a resync. */
  async function failOverDuringTraffic(fault: (master: number) => Promise<void>): Promise<number> {
    const channel = `jwt-revocation:failover:${randomBytes(6).toString('hex')}`;
    const before = await currentMaster();
    return recoveryDuringTraffic({
      make: () => new RedisRevocationBroadcaster({ connection: sentinelOptions(group.sentinels), channel }),
      fault: () => fault(before),
      switched: async () => (await currentMaster()) !== before,
    });
  }

  it('SENTINEL FAILOVER (the old master demoted, still up): messages flow again from the new master after a resync', async () => {
    const recoveredMs = await failOverDuringTraffic(async () => {
      await command(group.sentinels[0], ['SENTINEL', 'FAILOVER', NAME]);
    });
    console.log(`sentinel manual failover: subscription back and messages flowing ${recoveredMs} ms after SENTINEL FAILOVER`);
  });

  it('the master killed: messages flow again once the sentinels promote the replica, after a resync', async () => {
    // The demoted master of the previous case must be a synced replica before it can take over.
    await waitUntil(async () => /master_link_status:up/.test(String(await command(group.master, ['INFO', 'replication']).catch(() => ''))) || (await currentMaster()) === group.master, 30_000, 200);
    const recoveredMs = await failOverDuringTraffic((master) => servers.kill(master));
    console.log(`sentinel failover: subscription back and messages flowing ${recoveredMs} ms after the master was killed`);
  });
});
