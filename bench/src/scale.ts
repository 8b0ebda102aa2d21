import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createSigner } from 'fast-jwt';
import { Client } from 'pg';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { AccessTokenVerifier, AuthTokenService, JwtRevocationModule, type SessionStore, type TokenVersionStore } from 'nestjs-jwt-revocation';
import { JwtRevocationTypeOrmModule, JwtSessionEntity, TypeOrmSessionStore, TypeOrmTokenVersionStore } from 'nestjs-jwt-revocation/typeorm';
import { dataSourceOptions } from './bench-config';
import { User } from './user.entity';

/**
 * `npm run bench:scale` (bench/scale.js builds, then runs this): how the cost grows with users,
 * sessions and active users, on a PostgreSQL database it creates and drops. Prints one JSON
 * document (the report is written by bench/scale.js).
 */

const DAY = 86_400_000;
const USERS = Number(process.env.SCALE_USERS ?? 1_000_000);
const ENDED_PER_USER = Number(process.env.SCALE_ENDED_PER_USER ?? 3);
const SECONDS = Number(process.env.SCALE_SECONDS ?? 5);
const CONCURRENCY = 10;
const secret = process.env.BENCH_SECRET ?? randomUUID() + randomUUID();

/** Records each statement and, through `maxQueryExecutionTime`, how long each took. */
class StatementLog implements TypeOrmLogger {
  last: { query: string; parameters: unknown[] | undefined } | undefined;
  timings: Array<{ query: string; ms: number }> | undefined;
  logQuery(query: string, parameters?: unknown[]): void {
    this.last = { query, parameters };
  }
  logQuerySlow(ms: number, query: string): void {
    this.timings?.push({ query, ms });
  }
  logQueryError(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

async function appOn(url: string, cache: boolean, log: StatementLog, memo = true): Promise<INestApplicationContext> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({ ...dataSourceOptions(url), entities: [User, JwtSessionEntity], logger: log, maxQueryExecutionTime: 0.0001, extra: { max: 20 } } as never),
      JwtRevocationModule.forRootAsync({
        imports: [JwtRevocationTypeOrmModule.forFeature({ userEntity: User })],
        inject: [TypeOrmTokenVersionStore, TypeOrmSessionStore],
        useFactory: (tokenVersionStore: TokenVersionStore, sessionStore: SessionStore) => ({
          secret,
          tokenVersionStore,
          sessionStore,
          cache: { enabled: cache },
          verifiedTokens: { enabled: memo },
          sessions: { purgeIntervalMs: 0 },
        }),
      }),
    ],
  })
  class ScaleModule {}
  return NestFactory.createApplicationContext(ScaleModule, { logger: ['error'] });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
function latencies(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

/** Runs `task` from CONCURRENCY workers for `seconds`; per-call latencies in ms and calls per second. */
async function load(seconds: number, task: (worker: number, i: number) => Promise<unknown>) {
  const times: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let i = 0; performance.now() < until; i++) {
        const t = performance.now();
        await task(worker, i);
        times.push(performance.now() - t);
      }
    }),
  );
  return { perSecond: times.length / ((performance.now() - started) / 1000), ...latencies(times) };
}

async function seedPostgres(url: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const timings: Record<string, number> = {};
  const timed = async (name: string, sql: string, params: unknown[] = []) => {
    const t = performance.now();
    await client.query(sql, params);
    timings[name] = Math.round(performance.now() - t);
  };
  const now = Date.now();
  try {
    await timed('users', `INSERT INTO users (email, "tokenVersion") SELECT 'user' || g || '@scale.test', 0 FROM generate_series(2, $1::int) g`, [USERS]);
    // One live session per user; its id is derived from the user id so tokens can be signed for it.
    await timed(
      'live sessions',
      `INSERT INTO jwt_sessions (id, user_id, family, refresh_hash, previous_refresh_hash, generation, token_version, created_at, last_used_at, rotated_at, expires_at, idle_expires_at, user_agent, ip, revoked_at, revoke_reason)
       SELECT md5('live' || g)::uuid::text, g::text, md5('family' || g)::uuid::text, md5('r' || g) || md5('s' || g), NULL, 0, 0, $2::bigint, $2::bigint, $2::bigint, $2::bigint + $3::bigint, $2::bigint + $4::bigint, NULL, NULL, NULL, NULL
       FROM generate_series(1, $1::int) g`,
      [USERS, now, 30 * DAY, 7 * DAY],
    );
    // Ended sessions: a third revoked, a third past their absolute expiry, a third idle too long; all two days ago.
    await timed(
      'ended sessions',
      `INSERT INTO jwt_sessions (id, user_id, family, refresh_hash, previous_refresh_hash, generation, token_version, created_at, last_used_at, rotated_at, expires_at, idle_expires_at, user_agent, ip, revoked_at, revoke_reason)
       SELECT gen_random_uuid()::text, (g % $1::int + 1)::text, gen_random_uuid()::text, md5('e' || g) || md5('f' || g), NULL, 0, 0,
              $2::bigint - 40 * $4::bigint, $2::bigint - 2 * $4::bigint, $2::bigint - 2 * $4::bigint,
              CASE WHEN g % 3 = 1 THEN $2::bigint - 2 * $4::bigint ELSE $2::bigint + 30 * $4::bigint END,
              CASE WHEN g % 3 = 2 THEN $2::bigint - 2 * $4::bigint ELSE $2::bigint + 7 * $4::bigint END,
              NULL, NULL,
              CASE WHEN g % 3 = 0 THEN $2::bigint - 2 * $4::bigint ELSE NULL END,
              CASE WHEN g % 3 = 0 THEN 'logout' ELSE NULL END
       FROM generate_series(1, $3::int) g`,
      [USERS, now, USERS * ENDED_PER_USER, DAY],
    );
    await timed('analyze', 'ANALYZE');
    const size = await client.query(`SELECT pg_size_pretty(pg_total_relation_size('jwt_sessions')) AS sessions, pg_size_pretty(pg_total_relation_size('users')) AS users`);
    timings.sessionsTableSize = size.rows[0].sessions;
    timings.usersTableSize = size.rows[0].users;
  } finally {
    await client.end();
  }
  return timings;
}

/** Access tokens for seeded users and their live sessions, signed as the library signs them. */
function tokenSigner() {
  // fast-jwt adds iat itself; the library's own tokens carry exactly these claims.
  const sign = createSigner({ key: secret, algorithm: 'HS256', typ: 'at+jwt', expiresIn: 900_000 } as never) as (payload: object) => string;
  return (userId: number) => sign({ sub: String(userId), ver: 0, typ: 'access', jti: randomUUID(), sid: md5Uuid(`live${userId}`) });
}

function md5Uuid(text: string): string {
  const hex = require('node:crypto').createHash('md5').update(text).digest('hex') as string;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const randomUser = (active: number) => 1 + Math.floor(Math.random() * active);

async function explain(url: string, statement: { query: string; parameters: unknown[] | undefined }): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${statement.query}`, statement.parameters as unknown[]);
    return result.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

/** SQLite: the same live sessions (ids derived from the user id) for users 1..users. */
async function seedSqliteSessions(url: string, users: number): Promise<void> {
  const dataSource = await new DataSource({ ...dataSourceOptions(url), entities: [User, JwtSessionEntity] } as never).initialize();
  const now = Date.now();
  try {
    const rows = Array.from({ length: users }, (_, i) => ({
      id: md5Uuid(`live${i + 1}`), userId: String(i + 1), family: randomUUID(), refreshHash: 'a'.repeat(64), previousRefreshHash: null,
      generation: 0, tokenVersion: 0, createdAt: now, lastUsedAt: now, rotatedAt: now, expiresAt: now + 30 * DAY, idleExpiresAt: now + 7 * DAY,
      userAgent: null, ip: null, revokedAt: null, revokeReason: null,
    }));
    for (let i = 0; i < rows.length; i += 200) await dataSource.getRepository(JwtSessionEntity).insert(rows.slice(i, i + 200));
  } finally {
    await dataSource.destroy();
  }
}

async function checksAndWrites(url: string, label: string, users: number) {
  const log = new StatementLog();
  const app = await appOn(url, false, log);
  const verifier = app.get(AccessTokenVerifier);
  const tokens = app.get(AuthTokenService);
  const sign = tokenSigner();
  const result: Record<string, unknown> = { database: label };
  try {
    // Cache-miss check: cache off, so every check reads the store (one statement).
    const sample = Array.from({ length: 5000 }, () => sign(randomUser(users)));
    for (const token of sample.slice(0, 200)) await verifier.verify(token); // connections and JIT warm
    const single: number[] = [];
    for (const token of sample) {
      const t = performance.now();
      await verifier.verify(token);
      single.push(performance.now() - t);
    }
    result.missCheckSequential = latencies(single);
    result.missCheckConcurrent = await load(SECONDS, (_, i) => verifier.verify(sample[i % sample.length]));
    await verifier.verify(sample[0]);
    result.missCheckStatement = log.last;
    if (label === 'postgresql') result.explain = await explain(url, log.last!);
    // Login (no password hashing: AuthTokenService.login issues a session for a user the app authenticated).
    const refreshTokens: string[] = [];
    result.login = await load(SECONDS, async (worker) => {
      const pair = await tokens.login(randomUser(users));
      refreshTokens[worker] = pair.refreshToken!;
    });
    // Refresh: each worker rotates its own session again and again.
    result.refresh = await load(SECONDS, async (worker) => {
      refreshTokens[worker] = (await tokens.refresh(refreshTokens[worker])).refreshToken!;
    });
  } finally {
    await app.close();
  }
  return result;
}

async function purgeUnderTraffic(url: string) {
  const log = new StatementLog();
  const app = await appOn(url, false, log);
  const verifier = app.get(AccessTokenVerifier);
  const store = app.get(TypeOrmSessionStore);
  const sign = tokenSigner();
  const dataSource = app.get(DataSource);
  try {
    const [{ count: before }] = await dataSource.query('SELECT count(*)::int AS count FROM jwt_sessions');
    const sample = Array.from({ length: 2000 }, () => sign(randomUser(USERS)));
    const traffic = (seconds: number) => load(seconds, (_, i) => verifier.verify(sample[i % sample.length]));
    const quiet = await traffic(SECONDS);
    let purging = true;
    log.timings = [];
    const t = performance.now();
    const purged = store.purge(Date.now() - 905_000).finally(() => (purging = false));
    const during: number[] = [];
    let checks = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, worker) => {
        for (let i = worker; purging; i += CONCURRENCY) {
          const s = performance.now();
          await verifier.verify(sample[i % sample.length]);
          during.push(performance.now() - s);
          checks++;
        }
      }),
    );
    const rows = await purged;
    const seconds = (performance.now() - t) / 1000;
    const deletes = log.timings.filter((s) => s.query.startsWith('DELETE'));
    const bounds = log.timings.filter((s) => s.query.startsWith('SELECT') && s.query.includes('OFFSET'));
    log.timings = undefined;
    const [{ count: after }] = await dataSource.query('SELECT count(*)::int AS count FROM jwt_sessions');
    return {
      sessionsBefore: before,
      sessionsAfter: after,
      purged: rows,
      seconds,
      batches: deletes.length,
      rowsScannedPerBatch: 5000,
      rowsDeletedPerBatch: rows / Math.max(1, deletes.length),
      deleteMs: latencies(deletes.map((s) => s.ms)),
      boundMs: latencies(bounds.map((s) => s.ms)),
      checksBefore: quiet,
      checksDuring: { perSecond: checks / seconds, ...latencies(during) },
    };
  } finally {
    await app.close();
  }
}

async function cacheUnderPressure(url: string) {
  const log = new StatementLog();
  const app = await appOn(url, true, log);
  const verifier = app.get(AccessTokenVerifier);
  const tokens = app.get(AuthTokenService);
  const sign = tokenSigner();
  const results = [];
  try {
    for (const active of [...new Set([10_000, 100_000, 1_000_000].map((a) => Math.min(a, USERS)))]) {
      // A pool of tokens for `active` users (one each), sampled uniformly: every user equally active.
      const pool = Array.from({ length: active }, (_, i) => sign(i + 1));
      for (let i = 0; i < Math.min(pool.length, 20_000); i++) await verifier.verify(pool[Math.floor(Math.random() * pool.length)]);
      const before = tokens.metrics();
      const run = await load(SECONDS, () => verifier.verify(pool[Math.floor(Math.random() * pool.length)]));
      const after = tokens.metrics();
      const hits = after.cacheHits - before.cacheHits;
      const misses = after.cacheMisses - before.cacheMisses;
      results.push({ active, tokensInPool: pool.length, hitRate: hits / (hits + misses), checksPerSecond: run.perSecond, p50: run.p50, p99: run.p99 });
    }
  } finally {
    await app.close();
  }
  return results;
}

/**
 * Heap bytes per active user (gc() before and after): the revocation cache's two entries (version,
 * session) with the memo off, and the memoized token on top with it on. 5,000 users: exactly the
 * default 10,000 cache entries.
 */
async function memoryPerEntry(url: string) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return { note: 'run with --expose-gc' };
  const sign = tokenSigner();
  const users = 5_000;
  const pool = Array.from({ length: users }, (_, i) => sign(i + 1));
  const measure = async (memo: boolean) => {
    const app = await appOn(url, true, new StatementLog(), memo);
    const verifier = app.get(AccessTokenVerifier);
    try {
      await verifier.verify(pool[0]);
      gc();
      const start = process.memoryUsage().heapUsed;
      for (const token of pool) await verifier.verify(token);
      gc();
      return (process.memoryUsage().heapUsed - start) / users;
    } finally {
      await app.close();
    }
  };
  const cacheOnly = await measure(false);
  const withMemo = await measure(true);
  return { users, cacheBytesPerUser: cacheOnly, memoBytesPerToken: withMemo - cacheOnly, tokenLength: pool[0].length };
}

/** SCALE_PARTS: a comma list of checks, cache, memory, purge (default all); the seed always runs. */
const PARTS = (process.env.SCALE_PARTS ?? 'checks,cache,memory,purge').split(',');

async function main(): Promise<void> {
  const [pgUrl, sqliteUrl] = process.argv.slice(2);
  const report: Record<string, unknown> = { users: USERS, liveSessions: USERS, endedSessions: USERS * ENDED_PER_USER, secondsPerMeasurement: SECONDS, concurrency: CONCURRENCY, parts: PARTS };
  const step = (name: string) => console.error(`scale: ${name} (${new Date().toISOString()})`);
  step('seeding PostgreSQL');
  report.seed = await seedPostgres(pgUrl);
  if (PARTS.includes('checks')) {
    step('cache-miss checks, login, refresh on PostgreSQL');
    report.postgresql = await checksAndWrites(pgUrl, 'postgresql', USERS);
    if (sqliteUrl) {
      step('the same on SQLite (1000 users)');
      await seedSqliteSessions(sqliteUrl, 1000);
      report.sqlite = await checksAndWrites(sqliteUrl, 'sqlite', 1000);
    }
  }
  if (PARTS.includes('cache')) {
    step('cache under pressure');
    report.cache = await cacheUnderPressure(pgUrl);
  }
  if (PARTS.includes('memory')) {
    step('memory per entry');
    report.memory = await memoryPerEntry(pgUrl);
  }
  if (PARTS.includes('purge')) {
    step('purge under traffic');
    report.purge = await purgeUnderTraffic(pgUrl);
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
