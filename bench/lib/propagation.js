'use strict';
// Cross-instance propagation: two instances in one child process (bench/src/propagation.ts), over
// the broadcaster kinds in BENCH_BROADCASTERS (default redis): redis, postgres, cluster, sentinel, nats.
//
// Alone: `node bench/lib/propagation.js` builds, seeds a PostgreSQL database, starts the Redis
// Cluster / Sentinel processes it needs (test/support/redis-servers.ts) and prints one line per kind.
const path = require('node:path');
const { BUILD } = require('./paths');
const { nextMessage, startNode, stop } = require('./processes');
const { settings } = require('./settings');

const KINDS = ['redis', 'postgres', 'cluster', 'sentinel', 'nats'];

/** `env`: what the kind needs (BENCH_CLUSTER_NODES, BENCH_SENTINELS...), see bench/src/bench-broadcasters.ts. */
async function measurePropagation(databaseUrl, kind = 'redis', env = {}) {
  const child = startNode(path.join(BUILD, 'propagation.js'), undefined, {
    BENCH_DATABASE_URL: databaseUrl,
    BENCH_REDIS_URL: settings.redisUrl,
    BENCH_NATS_URL: process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222',
    BENCH_SECRET: settings.secret,
    BENCH_REVOCATIONS: String(settings.revocations),
    BENCH_BROADCASTER: kind,
    ...env,
  });
  try {
    const { result } = await nextMessage(child, 'propagation', 300_000);
    return result;
  } finally {
    await stop(child);
  }
}

/** BENCH_BROADCASTERS as a list of kinds (default: redis). */
function broadcasterKinds() {
  const kinds = (process.env.BENCH_BROADCASTERS || 'redis').split(',').map((kind) => kind.trim()).filter(Boolean);
  for (const kind of kinds) if (!KINDS.includes(kind)) throw new Error(`BENCH_BROADCASTERS: unknown kind "${kind}" (one of ${KINDS.join(', ')})`);
  return kinds;
}

/** Each kind in turn on one seeded database, starting (and stopping) the Redis processes a kind needs. */
async function measurePropagationAcross(databaseUrl, kinds) {
  const results = {};
  let servers;
  try {
    for (const kind of kinds) {
      const env = {};
      if (kind === 'cluster' || kind === 'sentinel') {
        servers ??= redisServers();
        if (kind === 'cluster') env.BENCH_CLUSTER_NODES = (await servers.cluster(3, 1)).map((port) => `127.0.0.1:${port}`).join(',');
        else {
          const group = await servers.sentinelGroup('benchmaster');
          Object.assign(env, { BENCH_SENTINELS: group.sentinels.map((port) => `127.0.0.1:${port}`).join(','), BENCH_SENTINEL_NAME: 'benchmaster' });
        }
      }
      console.log(`bench: propagation, ${settings.revocations} revocations across two instances over ${kind}`);
      results[kind] = await measurePropagation(databaseUrl, kind, env);
    }
  } finally {
    await servers?.stop();
  }
  return results;
}

/** The same process helper the tests use (TypeScript, transpiled on require). */
function redisServers() {
  require('./transpile-ts');
  const { RedisServers } = require('../../test/support/redis-servers.ts');
  return new RedisServers();
}

function line(kind, result) {
  const { publishToApplied: p, callToApplied: c } = result;
  const f = (value) => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');
  return `| ${kind} | ${result.revocations} | ${f(p.p50)} | ${f(p.p99)} | ${f(p.max)} | ${f(c.p50)} | ${f(c.p99)} | ${result.lost} | ${result.stillAccepted} |`;
}

async function main() {
  const { build, seed } = require('./build');
  const { createPostgresDatabase } = require('./services');
  const { cleanup } = require('./processes');
  const kinds = broadcasterKinds();
  try {
    if (process.env.BENCH_SKIP_BUILD !== '1') build();
    const created = await createPostgresDatabase(settings.postgresAdminUrl);
    if (!created.url) throw new Error(created.reason);
    await seed(created.url, settings.revocations);
    const results = await measurePropagationAcross(created.url, kinds);
    console.log('\n| broadcaster | revocations | publish→applied p50 ms | p99 ms | max ms | logoutAll()→applied p50 ms | p99 ms | lost | old token accepted |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const kind of kinds) console.log(line(kind, results[kind]));
  } finally {
    await cleanup();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

module.exports = { measurePropagation, measurePropagationAcross, broadcasterKinds };
