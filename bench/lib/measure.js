'use strict';
// One round of the rows of one platform. Every row's app is started and warmed up first; then
// the round's measured time is cut into short slices taken row after row, pass after pass (in
// reverse order every other pass), so each row's share of the round is spread over the whole
// round and a change in the machine's speed (other VMs on the host) touches every row alike. A
// paired ratio is then a ratio of two rows measured within the same seconds.
const fs = require('node:fs');
const path = require('node:path');
const { summarize } = require('../profile-summary');
const { measureOtherCpu, threadCpu } = require('../cpu-usage');
const { BENCH_DIR, BUILD, ROOT } = require('./paths');
const { getJson, nextMessage, pinToCpu, startNode, stop } = require('./processes');
const { settings } = require('./settings');

/**
 * Tokens per kind of issuer and database, fetched from the first server of that kind and reused
 * by later rounds and rows: every library row on one database shares the sessions table and the
 * secret, so a token stays valid across servers, and no round pays for 1000 logins.
 */
const tokenCache = new Map();
const tokenKeyOf = (row) => (row.scenario.startsWith('lib-') ? `library:${row.database}` : 'jsonwebtoken');

/** One load generator for the whole bench (started on first use, ended by the bench's clean-up). */
let sharedLoad;
const tokensSent = new Set();
function loadGenerator(taskset) {
  if (!sharedLoad || sharedLoad.exitCode !== null || sharedLoad.signalCode !== null) {
    sharedLoad = startNode(path.join(BENCH_DIR, 'load-generator.js'), taskset ? 1 : undefined, {}, false);
    tokensSent.clear();
  }
  return sharedLoad;
}

/**
 * Starts one server process for `rows` (one app per row, each on its own port) on any CPU (the
 * servers of a round start together, so startup takes both cores while no load runs) and, once
 * every app listens, moves all its threads to CPU 0. Returns one target per row.
 */
async function startServer(rows, databases, taskset) {
  const apps = rows.map((row) => ({
    scenario: row.scenario,
    databaseUrl: databases[row.database] ?? '',
    redisUrl: row.redis ? settings.redisUrl : '',
    store: row.store ?? 'typeorm',
  }));
  const server = startNode(path.join(BUILD, 'server.js'), undefined, {
    BENCH_APPS: JSON.stringify(apps),
    BENCH_PLATFORM: rows[0].platform,
    BENCH_SECRET: settings.secret,
    BENCH_REDIS_CHANNEL: `jwt-revocation:bench:${process.pid}`,
    BENCH_PROFILE: settings.profile ? '1' : '',
    BENCH_OTEL_SDK: rows.some((row) => row.otel) ? '1' : '',
  });
  const { ports } = await nextMessage(server, 'listening', 120_000);
  if (taskset) pinToCpu(server.pid, 0);
  return rows.map((row, i) => ({ row, server, base: `http://127.0.0.1:${ports[i]}`, tokensKey: tokenKeyOf(row), slices: [] }));
}

/**
 * The server processes of a round: one for all the rows (a process's own speed then sits in both
 * terms of every ratio), or one per row with BENCH_PROCESS_PER_ROW=1. A row with the OpenTelemetry
 * SDK gets its own: the SDK is registered process-wide and would record the other rows' metrics too.
 */
function serverGroups(rows) {
  if (settings.processPerRow) return rows.map((row) => [row]);
  return [rows.filter((row) => !row.otel), ...rows.filter((row) => row.otel).map((row) => [row])].filter((group) => group.length > 0);
}

async function fetchTokens(target) {
  if (!tokenCache.has(target.tokensKey)) tokenCache.set(target.tokensKey, await getJson(`${target.base}/__bench/tokens?count=${settings.users}`));
}

/** Runs autocannon against one server; its latencies are kept under `recordAs` until read with `latencies()`. */
async function runLoad(load, target, phase, seconds) {
  if (!tokensSent.has(target.tokensKey)) {
    load.send({ type: 'tokens', key: target.tokensKey, tokens: tokenCache.get(target.tokensKey) });
    tokensSent.add(target.tokensKey);
  }
  const recordAs = phase === 'measure' ? `${target.row.id}/${target.row.platform}` : undefined;
  load.send({ type: 'run', phase, url: `${target.base}/me`, connections: settings.connections, seconds, tokensKey: target.tokensKey, recordAs });
  const reply = await nextMessage(load, ['done', 'failed'], (seconds + 60) * 1000);
  if (reply.type === 'failed') throw new Error(`load generator: ${reply.error}`);
  return reply.result;
}

async function latencies(load, target) {
  load.send({ type: 'latencies', key: `${target.row.id}/${target.row.platform}` });
  return (await nextMessage(load, 'latencies', 10_000)).result;
}

/** One measured slice, with the server's counters and the machine's CPU read around it. */
async function measureSlice(load, target, seconds) {
  const { server, base } = target;
  const before = await getJson(`${base}/__bench/metrics`);
  const cpu = measureOtherCpu([server.pid, load.pid]);
  const mainThread = threadCpu(server.pid);
  const result = await runLoad(load, target, 'measure', seconds);
  const { pidCores, otherCores, stealCores, seconds: elapsed } = cpu.stop();
  const mainThreadCores = mainThread.stop();
  const after = await getJson(`${base}/__bench/metrics`);
  target.slices.push({ result, before, after, elapsed, serverCores: pidCores[0], loadCores: pidCores[1], otherCores, stealCores, mainThreadCores });
}

const usesCache = (row) => row.scenario === 'lib-cache' || row.scenario === 'lib-redis';

/**
 * Store reads and SQL per request of a cached row over one continuous run right after its warmup,
 * while every cache entry is younger than the cache TTL: the reads the cached path itself makes.
 * (Over the rounds each server is loaded only while its slices run, so the once-per-TTL refresh
 * of every entry lands on a fraction of the requests a server under constant load would serve.)
 */
async function readsWithinTtl(load, target) {
  const before = await getJson(`${target.base}/__bench/metrics`);
  await runLoad(load, target, 'warmup', settings.ttlProbe);
  const after = await getJson(`${target.base}/__bench/metrics`);
  const requests = after.served - before.served;
  return { requests, storeReads: (after.storeReads - before.storeReads) / requests, sql: (after.sqlQueries - before.sqlQueries) / requests };
}

/** A row's slices of one round as one run: totals over the slices, cores weighted by time. */
function runOf(target, latency) {
  const { slices } = target;
  const usesLibrary = target.row.scenario.startsWith('lib-');
  const sum = (get) => slices.reduce((total, slice) => total + get(slice), 0);
  const seconds = sum((s) => s.result.seconds);
  const elapsed = sum((s) => s.elapsed);
  const weighted = (get) => sum((s) => get(s) * s.elapsed) / elapsed;
  const counter = (name) => sum((s) => s.after[name] - s.before[name]);
  // Counters are divided by the responses the server produced between the reads (autocannon's
  // count misses the requests in flight at either edge of a slice, about one per connection).
  const requests = counter('served') || sum((s) => s.result.requests);
  const ok = sum((s) => s.result.ok);
  return {
    seconds,
    slices: slices.length,
    requests: sum((s) => s.result.requests),
    ok,
    non2xx: sum((s) => s.result.non2xx),
    errors: sum((s) => s.result.errors),
    timeouts: sum((s) => s.result.timeouts),
    rps: ok / seconds,
    p50: latency.p50,
    p99: latency.p99,
    max: latency.max,
    serverCores: weighted((s) => s.serverCores),
    mainThreadCores: weighted((s) => s.mainThreadCores),
    loadCores: weighted((s) => s.loadCores),
    otherCores: weighted((s) => s.otherCores),
    stealCores: weighted((s) => s.stealCores),
    // process.cpuUsage() of the server: user space (JS, V8, native code; every thread) apart from the kernel.
    cpuUserPerRequestUs: counter('cpuUserUs') / requests,
    cpuSystemPerRequestUs: counter('cpuSystemUs') / requests,
    storeReadsPerRequest: usesLibrary ? counter('storeReads') / requests : undefined,
    sqlPerRequest: usesLibrary ? counter('sqlQueries') / requests : undefined,
    withinTtl: target.withinTtl,
    cacheHits: counter('cacheHits'),
    cacheMisses: counter('cacheMisses'),
    attempts: 1,
  };
}

/** A separate run under the profiler, so the measured slices carry no profiling overhead. */
async function profileRow(load, target) {
  const { row, server } = target;
  const file = path.join(BUILD, 'profiles', `${row.id}-${row.platform}.cpuprofile`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  server.send({ type: 'profile-start' });
  await nextMessage(server, 'profiling', 10_000);
  const profiled = await runLoad(load, target, 'profile', settings.duration / settings.rounds);
  server.send({ type: 'profile-stop', file });
  await nextMessage(server, 'profiled', 60_000);
  return { profile: summarize(JSON.parse(fs.readFileSync(file, 'utf8')), profiled.requests), profileFile: path.relative(ROOT, file) };
}

/**
 * One round of `rows` (one platform's): returns each row's run, in the order given. A fresh server
 * process each round runs every row's app (a process's own speed differs from the next one's by up
 * to a fifth on Express: a process per row would put that in the ratios); each app is warmed up,
 * then one unmeasured pass of slices, then `duration / rounds` seconds per row in slices of about `settings.slice` s.
 * `first`: the round that also counts the cached rows' reads within one cache TTL.
 */
async function measureRound(rows, databases, taskset, { profile, first }) {
  const load = loadGenerator(taskset);
  const targets = [];
  try {
    const started = await Promise.allSettled(serverGroups(rows).map((group) => startServer(group, databases, taskset)));
    for (const result of started) if (result.status === 'fulfilled') targets.push(...result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    // In table order, whatever process each row runs in.
    targets.sort((x, y) => rows.indexOf(x.row) - rows.indexOf(y.row));
    for (const target of targets) {
      await fetchTokens(target);
      await runLoad(load, target, 'warmup', settings.warmup);
      if (first && usesCache(target.row)) target.withinTtl = await readsWithinTtl(load, target);
    }
    const perRound = settings.duration / settings.rounds;
    const passes = Math.max(1, Math.round(perRound / settings.slice));
    // One unmeasured pass first: a server's first slice after another's ran slower than its later
    // ones (Fastify (d): 1,200-1,500 req/s against 5,000-7,800), its JIT tiering still under way.
    for (const target of targets) await runLoad(load, target, 'warmup', settings.slice);
    for (let pass = 0; pass < passes; pass++) {
      for (const target of pass % 2 === 0 ? targets : [...targets].reverse()) await measureSlice(load, target, perRound / passes);
    }
    const runs = [];
    for (const target of targets) {
      const run = runOf(target, await latencies(load, target));
      const { row } = target;
      const other = run.otherCores + run.stealCores;
      console.log(
        `bench: ${row.label} on ${row.platform}: ${Math.round(run.rps)} req/s, ${run.cpuUserPerRequestUs.toFixed(1)} us user CPU/req, ` +
          `p50 ${run.p50.toFixed(2)} ms, CPU: server ${run.serverCores.toFixed(2)} (main thread ${run.mainThreadCores.toFixed(2)}), ` +
          `autocannon ${run.loadCores.toFixed(2)}, other ${other.toFixed(2)}${run.non2xx ? `, ${run.non2xx} NON-2XX` : ''}`,
      );
      if (profile) Object.assign(run, await profileRow(load, target));
      runs.push(run);
    }
    return runs;
  } finally {
    await Promise.all([...new Set(targets.map((target) => target.server))].map((server) => stop(server, 'close')));
  }
}

module.exports = { measureRound };
