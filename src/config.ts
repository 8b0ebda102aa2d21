import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JwtRevocationModuleOptions } from 'nestjs-jwt-revocation';

export type DatabaseConfig =
  | { type: 'better-sqlite3'; database: string }
  | { type: 'postgres' | 'mysql' | 'mariadb'; url: string };

/** The demo app's settings, all from the environment. */
export interface AppConfig {
  port: number;
  database: DatabaseConfig;
  jwtSecret: string;
  redisUrl: string | undefined;
  /** HTTP platform. Default express. */
  httpAdapter: 'express' | 'fastify';
  /** Refresh token in an HttpOnly cookie instead of the body. */
  cookieMode: boolean;
  /** Failed logins allowed per account and window. */
  loginAttempts: { limit: number; windowMs: number };
  /** Window (ms) in which a concurrent duplicate refresh gets the same pair; 0 = strict. */
  refreshReuseGraceMs: number;
  /** Anything else to pass to JwtRevocationModule.forRoot (tests tune cache and lifetimes here). */
  revocationOptions?: Partial<JwtRevocationModuleOptions>;
}

const DATA_DIR = '.data';

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, got "${env.PORT}"`);
  return {
    port,
    database: databaseFromUrl(env.DATABASE_URL ?? `sqlite:${join(DATA_DIR, 'app.sqlite')}`),
    jwtSecret: jwtSecretFrom(env),
    redisUrl: env.REDIS_URL || undefined,
    httpAdapter: env.HTTP_ADAPTER === 'fastify' ? 'fastify' : 'express',
    cookieMode: env.AUTH_COOKIE_MODE === 'true',
    loginAttempts: { limit: 10, windowMs: 15 * 60 * 1000 },
    refreshReuseGraceMs: nonNegativeInteger(env.REFRESH_REUSE_GRACE_MS, 'REFRESH_REUSE_GRACE_MS'),
  };
}

function nonNegativeInteger(value: string | undefined, name: string): number {
  if (value === undefined || value === '') return 0;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`${name} must be an integer >= 0, got "${value}"`);
  return parsed;
}

export function databaseFromUrl(url: string): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const database = url.slice('sqlite:'.length);
    if (!database) throw new Error('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:.data/app.sqlite');
    if (database !== ':memory:') mkdirSync(dirname(database), { recursive: true });
    return { type: 'better-sqlite3', database };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { type: 'postgres', url };
  if (/^mysql:\/\//.test(url)) return { type: 'mysql', url };
  // TypeORM needs to know it talks to MariaDB to read its schema right; the wire protocol is MySQL's.
  if (/^mariadb:\/\//.test(url)) return { type: 'mariadb', url: url.replace(/^mariadb:/, 'mysql:') };
  throw new Error('DATABASE_URL must start with sqlite:, postgres://, mysql:// or mariadb://');
}

/** In development a random secret is made once and kept under .data/; production must bring its own. */
function jwtSecretFrom(env: NodeJS.ProcessEnv): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  if (env.NODE_ENV === 'production') {
    throw new Error('JWT_SECRET is required when NODE_ENV=production (at least 32 random bytes, e.g. `openssl rand -base64 48`)');
  }
  const file = join(DATA_DIR, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  new Logger('Config').warn(`JWT_SECRET is not set: using a development secret kept in ${file}. Set JWT_SECRET in production.`);
  return readFileSync(file, 'utf8').trim();
}
