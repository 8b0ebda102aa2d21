'use strict';
// The bench's settings, all from BENCH_* variables (listed at the end of docs/benchmarks.md).
const crypto = require('node:crypto');

function positive(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function nonNegative(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be an integer >= 0, got "${raw}"`);
  return value;
}

function listEnv(name) {
  const raw = process.env[name];
  return raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

function writeDocsSetting(only) {
  const raw = process.env.BENCH_WRITE_DOCS;
  if (raw === '0' || raw === '1') return raw === '1';
  if (raw !== undefined && raw !== '') throw new Error(`BENCH_WRITE_DOCS must be 0 or 1, got "${raw}"`);
  return !only || only.every((id) => id === 'live');
}

/** A URL with its password replaced, fit for a log line or the report. */
function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

const settings = {
  /** Measured seconds per row, split evenly over the rounds. */
  duration: positive('BENCH_DURATION', 17.5),
  /** Rounds on a fresh server process, each in interleaved slices through every row of a platform; ratios are computed inside each round, the table shows their median and range. */
  rounds: Math.max(1, nonNegative('BENCH_ROUNDS', 7)),
  /** Warmup seconds before each measured run. */
  warmup: positive('BENCH_WARMUP', 1.5),
  connections: positive('BENCH_CONNECTIONS', 10),
  users: positive('BENCH_USERS', 1000),
  revocations: positive('BENCH_REVOCATIONS', 1000),
  postgresAdminUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  only: listEnv('BENCH_ONLY'),
  platforms: listEnv('BENCH_PLATFORMS') ?? ['express', 'fastify'],
  /**
   * Whether docs/ is written. A subset of the rows (`BENCH_ONLY`, except `live` alone, which writes only
   * its own section) prints only unless BENCH_WRITE_DOCS=1: it would replace the Results with a partial
   * table and become the run the next default run is compared with.
   */
  writeDocs: writeDocsSetting(listEnv('BENCH_ONLY')),
  /** `BENCH_BUILD=0` reuses the last build (library dist and bench/.build), e.g. to measure a local edit of it. */
  build: process.env.BENCH_BUILD !== '0',
  profile: process.env.BENCH_PROFILE === '1',
  /** Seconds of the continuous run that counts a cached row's store reads within one cache TTL. */
  ttlProbe: positive('BENCH_TTL_PROBE', 5),
  /** Seconds per measured slice: a round's measured time per row is cut into slices taken row after row. */
  slice: positive('BENCH_SLICE', 0.6),
  /** One server process per row instead of one per platform and round (to compare the two instruments). */
  processPerRow: process.env.BENCH_PROCESS_PER_ROW === '1',
  /** Adds the (d-otel) row: (d) with the OpenTelemetry metrics SDK registered. */
  otel: process.env.BENCH_OTEL === '1',
  /** Adds the (c) rows through the Prisma, Drizzle and MikroORM stores (Fastify, PostgreSQL). */
  stores: process.env.BENCH_STORES === '1',
  /** Cores used by other processes (plus steal) above which a measured run is repeated. */
  otherCpuLimit: 0.15,
  secret: crypto.randomBytes(48).toString('base64url'),
  /** Filled in by run.js once it knows whether taskset is there. */
  pinning: '',
};

module.exports = { settings, redact };
