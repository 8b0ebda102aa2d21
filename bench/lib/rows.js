'use strict';
// The table's rows: what each scenario is, and how its rounds, ratios and targets are computed.
const { settings } = require('./settings');

/**
 * The rows, in table order. `id` is what BENCH_ONLY filters on; `platforms` limits a row to some
 * platforms (default: every platform run).
 */
const SCENARIOS = [
  { id: 'a', label: '(a) no auth', scenario: 'no-auth' },
  { id: 'a-guard', label: "(a') trivial global guard", scenario: 'trivial-guard' },
  { id: 'b', label: '(b) passport-jwt (docs)', scenario: 'passport-jwt' },
  { id: 'c', label: '(c) lib, cache off, SQLite', scenario: 'lib-no-cache', database: 'sqlite' },
  { id: 'c-pg', label: '(c) lib, cache off, PostgreSQL', scenario: 'lib-no-cache', database: 'postgres' },
  // What each store costs per request: the same row through the other SQL stores (BENCH_STORES=1).
  ...(settings.stores
    ? [
        { id: 'c-pg-prisma', label: '(c) lib, cache off, PostgreSQL, Prisma', scenario: 'lib-no-cache', database: 'postgres', store: 'prisma', platforms: ['fastify'] },
        { id: 'c-pg-drizzle', label: '(c) lib, cache off, PostgreSQL, Drizzle', scenario: 'lib-no-cache', database: 'postgres', store: 'drizzle', platforms: ['fastify'] },
        { id: 'c-pg-mikro-orm', label: '(c) lib, cache off, PostgreSQL, MikroORM', scenario: 'lib-no-cache', database: 'postgres', store: 'mikro-orm', platforms: ['fastify'] },
      ]
    : []),
  { id: 'd', label: '(d) lib, cache on', scenario: 'lib-cache', database: 'sqlite' },
  // Right after (d), so the two run back to back in every round and their ratio is paired like the others.
  ...(settings.otel ? [{ id: 'd-otel', label: '(d) with OTel metrics SDK', scenario: 'lib-cache', database: 'sqlite', otel: true }] : []),
  { id: 'e', label: '(e) lib, cache + Redis', scenario: 'lib-redis', database: 'sqlite', redis: true },
];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * `id` against `baseId` on one platform, paired by round: each round's ratio from two runs made
 * back to back (minutes apart at most, under the same machine load), then the median and range
 * of those ratios. `metric`: 'rps' (req/s of id over base) or 'cpu' (server CPU per request of
 * base over id: the throughput ratio if the server's CPU were the only limit).
 */
function pairedRatio(rows, id, baseId, platform, metric = 'rps') {
  const row = rows.find((r) => r.id === id && r.platform === platform && !r.skipped);
  const base = rows.find((r) => r.id === baseId && r.platform === platform && !r.skipped);
  if (!row || !base) return undefined;
  const ratios = [];
  for (let round = 0; round < Math.min(row.runs.length, base.runs.length); round++) {
    const [mine, theirs] = [row.runs[round], base.runs[round]];
    const value = metric === 'cpu' ? theirs.cpuUserPerRequestUs / mine.cpuUserPerRequestUs : mine.rps / theirs.rps;
    if (Number.isFinite(value)) ratios.push(value);
  }
  if (ratios.length === 0) return undefined;
  return { ratios, median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** One row's rounds as one: medians of req/s, latencies and CPU, counters summed over all requests. */
function combineRuns(runs) {
  const sum = (get) => runs.reduce((total, run) => total + get(run), 0);
  const requests = sum((r) => r.requests);
  const rps = runs.map((r) => r.rps);
  const perRequest = (get) => (runs[0][get] === undefined ? undefined : sum((r) => r[get] * r.requests) / requests);
  return {
    rps: median(rps),
    spread: runs.length > 1 ? (Math.max(...rps) - Math.min(...rps)) / median(rps) : NaN,
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    requests,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    storeReadsPerRequest: perRequest('storeReadsPerRequest'),
    withinTtl: runs.find((r) => r.withinTtl)?.withinTtl,
    sqlPerRequest: perRequest('sqlPerRequest'),
    cpuUserPerRequestUs: median(runs.map((r) => r.cpuUserPerRequestUs)),
    cpuSystemPerRequestUs: median(runs.map((r) => r.cpuSystemPerRequestUs)),
    serverCores: median(runs.map((r) => r.serverCores)),
    mainThreadCores: median(runs.map((r) => r.mainThreadCores)),
    loadCores: median(runs.map((r) => r.loadCores)),
    otherCores: Math.max(...runs.map((r) => r.otherCores)),
    stealCores: Math.max(...runs.map((r) => r.stealCores)),
    attempts: sum((r) => r.attempts),
    profile: runs.find((r) => r.profile)?.profile,
    profileFile: runs.find((r) => r.profile)?.profileFile,
  };
}

/** Paired ratios of every row to (a), (a') and (b) of its platform, by req/s and by CPU per request. */
function addRatios(rows) {
  for (const row of rows) {
    if (row.skipped) continue;
    row.ratios = {};
    for (const base of ['a', 'a-guard', 'b']) {
      row.ratios[base] = pairedRatio(rows, row.id, base, row.platform, 'rps');
      row.ratios[`${base}:cpu`] = pairedRatio(rows, row.id, base, row.platform, 'cpu');
    }
    row.vsPassport = row.ratios.b?.median ?? NaN;
    row.vsNoAuth = row.ratios.a?.median ?? NaN;
  }
}

const range = (paired) => `median ${paired.median.toFixed(2)}x, rounds ${paired.min.toFixed(2)}-${paired.max.toFixed(2)}x`;

function evaluateTargets(rows, propagation) {
  const find = (id, platform) => rows.find((r) => r.id === id && r.platform === platform && !r.skipped);
  const targets = [];
  const ratioTarget = (id, baseId, platform, minimum) => {
    const name = `(${id}) >= ${minimum}x (${baseId === 'a-guard' ? "a'" : baseId}) on ${platform} (paired rounds, req/s)`;
    const paired = find(id, platform) && pairedRatio(rows, id, baseId, platform);
    targets.push(paired ? { name, met: paired.median >= minimum, detail: range(paired) } : { name, detail: 'not run' });
  };
  for (const id of ['d', 'e']) for (const platform of settings.platforms) ratioTarget(id, 'b', platform, 3);
  ratioTarget('d', 'a', 'fastify', 0.6);
  ratioTarget('d', 'a-guard', 'fastify', 0.65);
  ratioTarget('d', 'a', 'express', 0.85);
  ratioTarget('c-pg', 'b', 'fastify', 2);
  ratioTarget('c-pg', 'b', 'express', 1.5);
  for (const id of ['d', 'e']) {
    for (const platform of settings.platforms) {
      const row = find(id, platform);
      // The cached path's own reads: counted within one cache TTL (the once-per-TTL refresh is in the TTL note).
      const name = `(${id}) <= 0.01 DB queries/request on ${platform}, within one cache TTL`;
      const fresh = row?.withinTtl;
      targets.push(fresh
        ? {
            name,
            met: fresh.storeReads <= 0.01 && fresh.sql <= 0.01,
            detail: `store reads ${fresh.storeReads.toFixed(4)}, SQL ${fresh.sql.toFixed(4)} over ${fresh.requests} requests; over the rounds, TTL refreshes included: ${row.storeReadsPerRequest.toFixed(4)}`,
          }
        : { name, detail: 'not run' });
    }
  }
  for (const id of ['c', 'c-pg']) {
    for (const platform of settings.platforms) {
      const row = find(id, platform);
      // One statement per check, plus the everyone-out cutoff read at most once per cache.ttlMs (a few per 10,000 requests).
      const name = `(${id}) <= 1.0 SQL statements/request on ${platform} (+ the cutoff read once a minute)`;
      targets.push(row && row.sqlPerRequest !== undefined
        ? { name, met: row.sqlPerRequest <= 1.005, detail: `${row.sqlPerRequest.toFixed(4)} SQL, ${row.storeReadsPerRequest.toFixed(4)} store reads` }
        : { name, detail: 'not run' });
    }
  }
  for (const platform of settings.platforms) {
    const row = find('d', platform);
    const name = `(d) library + dependencies <= 3 us of CPU per request on ${platform} (CPU profile)`;
    const library = row?.profile && libraryUs(row.profile, find('a', platform)?.profile);
    targets.push(library !== undefined ? { name, met: library <= 3, detail: `${library.toFixed(1)} us` } : { name, detail: 'not profiled (BENCH_PROFILE=1)' });
  }
  for (const platform of settings.otel ? settings.platforms : []) {
    const paired = pairedRatio(rows, 'd-otel', 'd', platform);
    const name = `(d) with the metrics SDK >= 0.95x (d) on ${platform} (paired rounds)`;
    targets.push(paired ? { name, met: paired.median >= 0.95, detail: range(paired) } : { name, detail: 'not run' });
  }
  targets.push(propagation
    ? { name: 'propagation p99 <= 10 ms', met: propagation.publishToApplied.p99 <= 10 && propagation.lost === 0 && propagation.stillAccepted === 0, detail: `p99 ${propagation.publishToApplied.p99.toFixed(3)} ms, lost ${propagation.lost}, still accepted ${propagation.stillAccepted}` }
    : { name: 'propagation p99 <= 10 ms', detail: 'not run' });
  return targets;
}

/**
 * The library's share of a profile: its own code, its dependencies and the crypto they call (less
 * the crypto the no-auth row spends too, Express's ETag, when that row was profiled).
 */
function libraryUs(profile, noAuthProfile) {
  const of = (p, category) => p?.rows.find((r) => r.category === category)?.perRequestUs ?? 0;
  const crypto = Math.max(0, of(profile, 'node crypto') - of(noAuthProfile, 'node crypto'));
  return of(profile, 'nestjs-jwt-revocation') + of(profile, 'fast-jwt (library dependency)') + crypto;
}

/** The platform's rows in the order a round runs them: forwards in odd rounds, backwards in even ones, so drift over a round hits both sides of a ratio alike. */
module.exports = { SCENARIOS, combineRuns, addRatios, evaluateTargets, pairedRatio, libraryUs, median };
