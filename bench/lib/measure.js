'use strict';
// One round of one row: a fresh server, a warmup, a measured run with the counters around it,
// and, when asked, a separate profiled run.
const fs = require('node:fs');
const path = require('node:path');
const { summarize } = require('../profile-summary');
const { measureOtherCpu } = require('../cpu-usage');
const { BENCH_DIR, BUILD, ROOT } = require('./paths');
const { getJson, nextMessage, startNode, stop } = require('./processes');
const { settings } = require('./settings');

async function measure(row, databaseUrl, taskset, profile) {
  process.stdout.write(`bench: ${row.label} on ${row.platform} ... `);
  const server = startNode(path.join(BUILD, 'server.js'), taskset ? 0 : undefined, {
    BENCH_SCENARIO: row.scenario,
    BENCH_PLATFORM: row.platform,
    BENCH_DATABASE_URL: databaseUrl ?? '',
    BENCH_SECRET: settings.secret,
    BENCH_REDIS_URL: row.redis ? settings.redisUrl : '',
    BENCH_REDIS_CHANNEL: `jwt-revocation:bench:${process.pid}`,
    BENCH_PROFILE: settings.profile ? '1' : '',
  });
  const load = startNode(path.join(BENCH_DIR, 'load-generator.js'), taskset ? 1 : undefined, {}, false);
  try {
    const { port } = await nextMessage(server, 'listening', 60_000);
    const base = `http://127.0.0.1:${port}`;
    const tokens = await getJson(`${base}/__bench/tokens?count=${settings.users}`);
    load.send({ type: 'tokens', tokens });
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
      const result = await runLoad('measure', settings.duration / settings.rounds);
      const { pidCores, otherCores, stealCores } = cpu.stop();
      const after = await getJson(`${base}/__bench/metrics`);
      const requests = result.requests;
      attempts++;
      const candidate = {
        ...result,
        serverCores: pidCores[0],
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
    console.log(`${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, CPU: server ${result.serverCores.toFixed(2)}, autocannon ${result.loadCores.toFixed(2)}, other ${(result.otherCores + result.stealCores).toFixed(2)}${result.non2xx ? `, ${result.non2xx} NON-2XX` : ''}`);
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
    await stop(load);
    await stop(server, 'close');
  }
}

module.exports = { measure };
