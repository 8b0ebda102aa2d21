/** What the bench server runs, from the environment `bench/run.js` sets. */
export type Scenario = 'no-auth' | 'trivial-guard' | 'passport-jwt' | 'lib-no-cache' | 'lib-cache' | 'lib-redis';
export type Platform = 'express' | 'fastify';
/** Which store the library scenarios read versions and sessions from. */
export type BenchStore = 'typeorm' | 'prisma' | 'drizzle' | 'mikro-orm';

export interface BenchConfig {
  scenario: Scenario;
  platform: Platform;
  /** `sqlite:/path/file.sqlite` or `postgres://...`; unused by the stateless scenarios. */
  databaseUrl: string | undefined;
  secret: string;
  redisUrl: string | undefined;
  redisChannel: string;
  store: BenchStore;
}

export const BENCH_CONFIG = Symbol('BENCH_CONFIG');

const SCENARIOS: readonly Scenario[] = ['no-auth', 'trivial-guard', 'passport-jwt', 'lib-no-cache', 'lib-cache', 'lib-redis'];
const STORES: readonly BenchStore[] = ['typeorm', 'prisma', 'drizzle', 'mikro-orm'];

export function benchConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const scenario = env.BENCH_SCENARIO as Scenario;
  if (!SCENARIOS.includes(scenario)) throw new Error(`BENCH_SCENARIO must be one of ${SCENARIOS.join(', ')}`);
  const platform = env.BENCH_PLATFORM === 'fastify' ? 'fastify' : 'express';
  const store = (env.BENCH_STORE || 'typeorm') as BenchStore;
  if (!STORES.includes(store)) throw new Error(`BENCH_STORE must be one of ${STORES.join(', ')}`);
  const secret = env.BENCH_SECRET ?? '';
  if (secret.length < 32) throw new Error('BENCH_SECRET must be at least 32 characters');
  return {
    scenario,
    platform,
    databaseUrl: env.BENCH_DATABASE_URL || undefined,
    secret,
    redisUrl: env.BENCH_REDIS_URL || undefined,
    redisChannel: env.BENCH_REDIS_CHANNEL ?? 'jwt-revocation:bench',
    store,
  };
}

/** One app of a server that runs several (`BENCH_APPS`, a JSON array): a row's own settings. */
interface BenchAppSpec {
  scenario: string;
  databaseUrl?: string;
  redisUrl?: string;
  store?: string;
}

/**
 * The apps one server process runs: each entry of `BENCH_APPS` over the shared settings (secret,
 * platform, Redis channel), or the one app `BENCH_SCENARIO` describes.
 */
export function benchConfigsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchConfig[] {
  if (!env.BENCH_APPS) return [benchConfigFromEnv(env)];
  const apps = JSON.parse(env.BENCH_APPS) as BenchAppSpec[];
  if (!Array.isArray(apps) || apps.length === 0) throw new Error('BENCH_APPS must be a non-empty JSON array');
  return apps.map((app) =>
    benchConfigFromEnv({
      ...env,
      BENCH_SCENARIO: app.scenario,
      BENCH_DATABASE_URL: app.databaseUrl ?? '',
      BENCH_REDIS_URL: app.redisUrl ?? '',
      BENCH_STORE: app.store ?? 'typeorm',
    }),
  );
}

/** TypeORM connection options for a bench database URL. */
export function dataSourceOptions(url: string) {
  if (url.startsWith('sqlite:')) {
    // WAL with synchronous=NORMAL, the usual production setting: readers never wait for a writer.
    return {
      type: 'better-sqlite3' as const,
      database: url.slice('sqlite:'.length),
      enableWAL: true,
      prepareDatabase: (db: { pragma(source: string): unknown }): void => void db.pragma('synchronous = NORMAL'),
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { type: 'postgres' as const, url };
  throw new Error(`unsupported bench database URL: ${url}`);
}
