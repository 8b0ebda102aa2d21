'use strict';
// The table's rows: what each scenario is, and how its rounds, ratios and targets are computed.
const { settings } = require('./settings');

/** The rows, in table order. `id` is what BENCH_ONLY filters on. */
const SCENARIOS = [
  { id: 'a', label: '(a) no auth', scenario: 'no-auth' },
  { id: 'b', label: '(b) passport-jwt (docs)', scenario: 'passport-jwt' },
  { id: 'c', label: '(c) lib, cache off, SQLite', scenario: 'lib-no-cache', database: 'sqlite' },
  { id: 'c-pg', label: '(c) lib, cache off, PostgreSQL', scenario: 'lib-no-cache', database: 'postgres' },
  { id: 'd', label: '(d) lib, cache on', scenario: 'lib-cache', database: 'sqlite' },
  { id: 'e', label: '(e) lib, cache + Redis', scenario: 'lib-redis', database: 'sqlite', redis: true },
];

/** One row's rounds as one: medians of req/s and latencies, counters summed over all requests. */
function combineRuns(runs) {
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
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
    sqlPerRequest: perRequest('sqlPerRequest'),
    serverCores: median(runs.map((r) => r.serverCores)),
    otherCores: Math.max(...runs.map((r) => r.otherCores)),
    stealCores: Math.max(...runs.map((r) => r.stealCores)),
    attempts: sum((r) => r.attempts),
    profile: runs.find((r) => r.profile)?.profile,
    profileFile: runs.find((r) => r.profile)?.profileFile,
  };
}

function addRatios(rows) {
  for (const row of rows) {
    if (row.skipped) continue;
    const base = (id) => rows.find((r) => r.id === id && r.platform === row.platform && !r.skipped);
    row.vsPassport = base('b') ? row.rps / base('b').rps : NaN;
    row.vsNoAuth = base('a') ? row.rps / base('a').rps : NaN;
  }
}

function evaluateTargets(rows, propagation) {
  const find = (id, platform) => rows.find((r) => r.id === id && r.platform === platform && !r.skipped);
  const targets = [];
  for (const id of ['d', 'e']) {
    for (const platform of settings.platforms) {
      const row = find(id, platform);
      const name = `(${id}) >= 3x (b) on ${platform}`;
      targets.push(row && Number.isFinite(row.vsPassport)
        ? { name, met: row.vsPassport >= 3, detail: `${row.vsPassport.toFixed(2)}x` }
        : { name, detail: 'not run' });
    }
  }
  const dExpress = find('d', 'express');
  targets.push(dExpress && Number.isFinite(dExpress.vsNoAuth)
    ? { name: '(d) >= 0.8x (a) on express', met: dExpress.vsNoAuth >= 0.8, detail: `${dExpress.vsNoAuth.toFixed(2)}x` }
    : { name: '(d) >= 0.8x (a) on express', detail: 'not run' });
  for (const id of ['d', 'e']) {
    for (const platform of settings.platforms) {
      const row = find(id, platform);
      const name = `(${id}) <= 0.01 DB queries/request on ${platform}`;
      targets.push(row
        ? { name, met: row.storeReadsPerRequest <= 0.01 && row.sqlPerRequest <= 0.01, detail: `store reads ${row.storeReadsPerRequest.toFixed(4)}, SQL ${row.sqlPerRequest.toFixed(4)}` }
        : { name, detail: 'not run' });
    }
  }
  targets.push(propagation
    ? { name: 'propagation p99 <= 10 ms', met: propagation.publishToApplied.p99 <= 10 && propagation.lost === 0 && propagation.stillAccepted === 0, detail: `p99 ${propagation.publishToApplied.p99.toFixed(3)} ms, lost ${propagation.lost}, still accepted ${propagation.stillAccepted}` }
    : { name: 'propagation p99 <= 10 ms', detail: 'not run' });
  return targets;
}

module.exports = { SCENARIOS, combineRuns, addRatios, evaluateTargets };
