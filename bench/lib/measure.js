'use strict';
// One round of one row: a fresh server, a warmup, a measured run with the counters around it,
// and, when asked, a separate profiled run.
const fs = require('node:fs');
const path = require('node:path');
const { summarize } = require('../profile-summary');
const { measureOtherCpu, threadCpu } = require('../cpu-usage');
const { BENCH_DIR, BUILD, ROOT } = require('./paths');
const { getJson, nextMessage, startNode, stop } = require('./processes');
const { settings } = require('./settings');

/**
 * Tokens per kind of issuer and database, fetched from the first server of that kind and reused
 * by later rounds and rows: every library row on one database shares the sessions table and the
 * secret, so a token stays valid across servers, and no round pays for 1000 logins.
 */
const tokenCache = new Map();

async function tokensFor(row, base) {
  const key = row.scenario.startsWith('lib-') ? `library:${row.database}` : 'jsonwebtoken';
  if (!tokenCache.has(key)) tokenCache.set(key, await getJson(`${base}/__bench/tokens?count=${settings.users}`));
  return tokenCache.get(key);
}

/** One load generator for the whole bench (started on first use, ended by the bench's clean-up). */
let sharedLoad;
function loadGenerator(taskset) {
  if (!sharedLoad || sharedLoad.exitCode !== null || sharedLoad.signalCode !== null) {
    sharedLoad = startNode(path.join(BENCH_DIR, 'load-generator.js'), taskset ? 1 : undefined, {}, false);
  }
  return sharedLoad;
}

async function measure(row, databaseUrl, taskset, profile) {
  process.stdout.write(`bench: ${row.label} on ${row.platform} ... `);
  const server = startNode(path.join(BUILD, 'server.js'), taskset ? 0 : undefined, {
    BENCH_SCENARIO: row.scenario,
    BENCH_PLATFORM: row.platform,
    BENCH_DATABASE_URL: databaseUrl ?? '',
    BENCH_SECRET: settings.secret,
    BENCH_REDIS_URL: row.redis ? settings.redisUrl : '',
    BENCH_REDIS_CHANNEL: `jwt-revocation:bench:${process.pid}`,
    BENCH_STORE: row.store ?? 'typeorm',
    BENCH_PROFILE: settings.profile ? '1' : '',
    BENCH_OTEL_SDK: row.otel ? '1' : '',
  });
  const load = loadGenerator(taskset);
  try {
    const { port } = await nextMessage(server, 'listening', 60_000);
    const base = `http://127.0.0.1:${port}`;
    load.send({ type: 'tokens', tokens: await tokensFor(row, base) });
    const runLoad = async (phase, seconds) => {
      load.send({ type: 'run', phase, url: `${base}/me`, connections: settings.connections, seconds });
      const reply = await nextMessage(load, ['done', 'failed'], (seconds + 60) * 1000);
      if (reply.type === 'failed') throw new Error(`load generator: ${reply.error}`);
      return reply.result;
    };
    await runLoad('warmup', settings.warmup);
    const usesLibrary = row.scenario.startsWith('lib-');
    let measured;
    let attempts = 0;
    // A run disturbed by other work on the machine is repeated (the PostgreSQL rows are not:
    // the database server's own CPU counts as "other" there).
    for (let attempt = 0; attempt <= settings.retries; attempt++) {
      const before = await getJson(`${base}/__bench/metrics`);
      const cpu = measureOtherCpu([server.pid, load.pid]);
      const mainThread = threadCpu(server.pid);
      const result = await runLoad('measure', settings.duration / settings.rounds);
      const { pidCores, otherCores, stealCores } = cpu.stop();
      const mainThreadCores = mainThread.stop();
      const after = await getJson(`${base}/__bench/metrics`);
      // Counters are divided by the responses the server produced between the two reads (autocannon's
      // count misses the requests in flight at either edge of the run, about one per connection).
      const requests = after.served - before.served || result.requests;
      attempts++;
      const candidate = {
        ...result,
        serverCores: pidCores[0],
        mainThreadCores,
        // process.cpuUsage() of the server: user space (JS, V8, native code; every thread) apart from the kernel.
        cpuUserPerRequestUs: (after.cpuUserUs - before.cpuUserUs) / requests,
        cpuSystemPerRequestUs: (after.cpuSystemUs - before.cpuSystemUs) / requests,
        loadCores: pidCores[1],
        otherCores,
        stealCores,
        storeReadsPerRequest: usesLibrary ? (after.storeReads - before.storeReads) / requests : undefined,
        sqlPerRequest: usesLibrary ? (after.sqlQueries - before.sqlQueries) / requests : undefined,
        cacheHits: after.cacheHits - before.cacheHits,
        cacheMisses: after.cacheMisses - before.cacheMisses,
      };
      const disturbance = otherCores + stealCores;
      if (!measured || disturbance < measured.otherCores + measured.stealCores) measured = candidate;
      const disturbed = disturbance > settings.otherCpuLimit;
      if (!disturbed || row.database === 'postgres') break;
      if (attempt < settings.retries) process.stdout.write(`disturbed (other processes used ${otherCores.toFixed(2)} cores), again ... `);
    }
    measured.attempts = attempts;
    const result = measured;
    console.log(`${Math.round(result.rps)} req/s, ${result.cpuUserPerRequestUs.toFixed(1)} us user CPU/req, p50 ${result.p50.toFixed(2)} ms, CPU: server ${result.serverCores.toFixed(2)} (main thread ${result.mainThreadCores.toFixed(2)}), autocannon ${result.loadCores.toFixed(2)}, other ${(result.otherCores + result.stealCores).toFixed(2)}${result.non2xx ? `, ${result.non2xx} NON-2XX` : ''}`);
    if (profile) {
      // A separate run under the profiler, so the measured one above carries no profiling overhead.
      const file = path.join(BUILD, 'profiles', `${row.id}-${row.platform}.cpuprofile`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      server.send({ type: 'profile-start' });
      await nextMessage(server, 'profiling', 10_000);
      const profiled = await runLoad('profile', settings.duration / settings.rounds);
      server.send({ type: 'profile-stop', file });
      await nextMessage(server, 'profiled', 60_000);
      measured.profile = summarize(JSON.parse(fs.readFileSync(file, 'utf8')), profiled.requests);
      measured.profileFile = path.relative(ROOT, file);
    }
    return measured;
  } finally {
    await stop(server, 'close');
  }
}

module.exports = { measure };
