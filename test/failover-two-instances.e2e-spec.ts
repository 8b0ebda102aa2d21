import { randomBytes } from 'node:crypto';
import { AuthTokenService, type RevocationBroadcaster } from 'nestjs-jwt-revocation';
import { RedisClusterRevocationBroadcaster, RedisRevocationBroadcaster } from 'nestjs-jwt-revocation/redis';
import { postgresDatabase } from './support/databases';
import { command, RedisServers } from './support/redis-servers';
import { waitUntil } from './support/tcp-proxy';
import { bearer, registerAndLogin, startApp, type LoggedIn, type TestApp } from './support/test-app';

const postgres = postgresDatabase();
const version = RedisServers.version();
const usable = postgres !== undefined && version !== undefined && Number(version.split('.')[0]) >= 7;
if (!usable) {
  if (process.env.CI === 'true') throw new Error(`CI=true needs TEST_POSTGRES_URL and redis-server >= 7 for the failover suite (found ${version ?? 'none'})`);
  console.warn('two-instance failover suite skipped: needs TEST_POSTGRES_URL and redis-server >= 7');
}

/** Generous: a revoked token must be refused on the other instance within this, failover or not. */
const REFUSED_WITHIN_MS = 1500;
const USERS = 24;
const FAIL_OVER_AFTER = 6;

interface Topology {
  broadcaster(): RevocationBroadcaster;
  /** Kills the master the channel lives on. */
  failOver(): Promise<void>;
}

const topologies: Array<[string, (servers: RedisServers, channel: string) => Promise<Topology>]> = [
  [
    'Redis Cluster (3 masters + replicas)',
    async (servers, channel) => {
      const ports = await servers.cluster(3, 1);
      const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
      return {
        broadcaster: () => new RedisClusterRevocationBroadcaster({ nodes, clusterOptions: { redisOptions: { connectTimeout: 1000 } }, channel, probeIntervalMs: 500 }),
        failOver: async () => {
          const slot = Number(await command(ports[0], ['CLUSTER', 'KEYSLOT', channel]));
          const slots = (await command(ports[0], ['CLUSTER', 'SLOTS'])) as Array<[number, number, [string, number]]>;
          const owner = slots.find(([from, to]) => from <= slot && slot <= to)![2][1];
          await servers.kill(Number(owner));
        },
      };
    },
  ],
  [
    'Redis Sentinel (master, replica, 3 sentinels)',
    async (servers, channel) => {
      const group = await servers.sentinelGroup('jwtrevapp');
      const sentinels = group.sentinels.map((port) => ({ host: '127.0.0.1', port }));
      return {
        broadcaster: () =>
          new RedisRevocationBroadcaster({ connection: { sentinels, name: 'jwtrevapp', failoverDetector: true, maxRetriesPerRequest: 1, connectTimeout: 1000 }, channel }),
        failOver: () => servers.kill(group.master),
      };
    },
  ],
];

// The app-level promise during a failover: every token revoked on A — before, during and after the
// master dies — is refused on B within the bound, never served from B's cache beyond it.
(usable ? describe.each(topologies) : describe.skip.each(topologies))('two app instances on %s while its master fails', (_, build) => {
  let servers: RedisServers;
  let topology: Topology;
  let a: TestApp;
  let b: TestApp;
  let onB: RevocationBroadcaster;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    servers = new RedisServers();
    const created = await postgres!.create();
    drop = created.drop;
    topology = await build(servers, `jwt-revocation:app-failover:${randomBytes(4).toString('hex')}`);
    a = await startApp(created.url, { revocationOptions: { broadcaster: topology.broadcaster() } });
    onB = topology.broadcaster();
    b = await startApp(created.url, { revocationOptions: { broadcaster: onB } });
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await servers?.stop();
    await drop?.();
  }, 60_000);

  it('no revoked token is accepted on B beyond the bound, and B trusts its cache again afterwards', async () => {
    const users: LoggedIn[] = [];
    for (let i = 0; i < USERS; i++) users.push(await registerAndLogin(a));
    const me = (app: TestApp, user: LoggedIn) => app.http().get('/me').set(bearer(user.accessToken));
    for (const user of users) {
      await me(b, user).expect(200);
      await me(b, user).expect(200); // now cached on B
    }
    const delays: number[] = [];
    let failedOver = false;
    for (const [i, user] of users.entries()) {
      if (i === FAIL_OVER_AFTER) {
        await topology.failOver();
        failedOver = true;
      }
      await a.http().post('/auth/logout').set(bearer(user.accessToken)).expect(204);
      // Refused (401), or 503 when B cannot know: both keep the revoked token out.
      delays.push(await waitUntil(async () => (await me(b, user)).status !== 200, REFUSED_WITHIN_MS, 10));
      await new Promise((resolve) => setTimeout(resolve, 150)); // spread the revocations over the failover
    }
    expect(failedOver).toBe(true);
    expect(Math.max(...delays)).toBeLessThan(REFUSED_WITHIN_MS);
    // Once the channel is back, a fresh login works on both and B answers from its cache again.
    await waitUntil(async () => onB.isConnected(), 30_000, 100);
    const fresh = await registerAndLogin(a);
    await me(a, fresh).expect(200);
    await me(b, fresh).expect(200);
    const readsBefore = b.app.get(AuthTokenService).metrics().storeReads;
    for (let i = 0; i < 20; i++) await me(b, fresh).expect(200);
    expect(b.app.get(AuthTokenService).metrics().storeReads - readsBefore).toBe(0);
    console.log(`failover (${_}): revoked tokens refused on B after at most ${Math.max(...delays)} ms (p50 ${delays.sort((x, y) => x - y)[delays.length >> 1]} ms)`);
  });
});
