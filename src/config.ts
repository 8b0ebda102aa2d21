import { Logger } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JwtRevocationModuleOptions } from 'nestjs-jwt-revocation';
import { normalizeEmail } from './users/email-address';

export type DatabaseConfig =
  | { type: 'better-sqlite3'; database: string }
  | { type: 'postgres' | 'mysql' | 'mariadb'; url: string };

/** The demo app's settings, all from the environment. */
export interface AppConfig {
  port: number;
  database: DatabaseConfig;
  jwtSecret: string;
  /** `iss` of the access tokens, required on every token (env JWT_ISSUER). */
  jwtIssuer: string;
  /** `aud` of the access tokens, required on every token (env JWT_AUDIENCE). */
  jwtAudience: string;
  /** Normalized emails that register with the role "admin" (env ADMIN_EMAILS, comma-separated). */
  adminEmails: string[];
  redisUrl: string | undefined;
  /** Transport between instances (env BROADCASTER): redis, postgres, nats, or unset (see src/auth/broadcaster.config.ts). */
  broadcaster?: string;
  /** NATS server(s) for BROADCASTER=nats (env NATS_URL, comma-separated). */
  natsUrl?: string;
  /** HTTP platform. Default express. */
  httpAdapter: 'express' | 'fastify';
  /** Refresh token in an HttpOnly cookie instead of the body. */
  cookieMode: boolean;
  /**
   * Secure cookies (default). `false` (AUTH_COOKIE_SECURE=false) only for plain-http development
   * in a browser that refuses Secure cookies on http://localhost; the names then lose their prefixes.
   */
  cookieSecure?: boolean;
  /**
   * Failed password checks (login, change-password) allowed per window: `limit` per account and
   * client IP, `perClientLimit` per client IP over all accounts.
   */
  loginAttempts: { limit: number; perClientLimit: number; windowMs: number };
  /** Window (ms) in which a concurrent duplicate refresh gets the same pair; 0 = strict. */
  refreshReuseGraceMs: number;
  /** Anything else to pass to JwtRevocationModule (tests tune cache, keys and lifetimes here). */
  revocationOptions?: Partial<JwtRevocationModuleOptions>;
}

/** What `ConfigService<AppEnv, true>` holds: the demo's settings under the `app` namespace. */
export interface AppEnv {
  app: AppConfig;
}

/**
 * The `app` namespace of ConfigModule, read and checked once when the app starts; a bad value
 * stops the start with a message naming the variable. Tests override this provider (`appConfig.KEY`).
 */
export const appConfig = registerAs('app', (): AppConfig => configFromEnv());

/** A setting the demo cannot start with; main.ts prints its message alone, without a stack. */
export class InvalidConfigError extends Error {
  override name = 'InvalidConfigError';
}

const DATA_DIR = '.data';
export const DEFAULT_ISSUER = 'nestjs-jwt-revocation-demo';
export const DEFAULT_AUDIENCE = 'nestjs-jwt-revocation-demo-api';

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidConfigError(`PORT must be 0-65535, got "${env.PORT}"`);
  return {
    port,
    database: databaseFromUrl(env.DATABASE_URL ?? `sqlite:${join(DATA_DIR, 'app.sqlite')}`),
    jwtSecret: jwtSecretFrom(env),
    // Any other service holding the secret would otherwise mint tokens this app accepts.
    jwtIssuer: env.JWT_ISSUER || DEFAULT_ISSUER,
    jwtAudience: env.JWT_AUDIENCE || DEFAULT_AUDIENCE,
    adminEmails: (env.ADMIN_EMAILS ?? '').split(',').map((email) => normalizeEmail(email)).filter((email) => email.length > 0),
    redisUrl: env.REDIS_URL || undefined,
    broadcaster: env.BROADCASTER || undefined,
    natsUrl: env.NATS_URL || undefined,
    httpAdapter: httpAdapterFromEnv(env),
    cookieMode: env.AUTH_COOKIE_MODE === 'true',
    cookieSecure: cookieSecureFromEnv(env.AUTH_COOKIE_SECURE),
    loginAttempts: { limit: 10, perClientLimit: 100, windowMs: 15 * 60 * 1000 },
    refreshReuseGraceMs: nonNegativeInteger(env.REFRESH_REUSE_GRACE_MS, 'REFRESH_REUSE_GRACE_MS'),
  };
}

/** Read on its own too: main.ts picks the HTTP platform before the app (and ConfigModule) exists. */
export function httpAdapterFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig['httpAdapter'] {
  const value = env.HTTP_ADAPTER || 'express';
  if (value !== 'express' && value !== 'fastify') throw new InvalidConfigError(`HTTP_ADAPTER must be express or fastify, got "${value}"`);
  return value;
}

function cookieSecureFromEnv(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidConfigError(`AUTH_COOKIE_SECURE must be true or false, got "${value}"`);
}

function nonNegativeInteger(value: string | undefined, name: string): number {
  if (value === undefined || value === '') return 0;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new InvalidConfigError(`${name} must be an integer >= 0, got "${value}"`);
  return parsed;
}

export function databaseFromUrl(url: string): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const database = url.slice('sqlite:'.length);
    if (!database) throw new InvalidConfigError('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:.data/app.sqlite');
    if (database !== ':memory:') mkdirSync(dirname(database), { recursive: true });
    return { type: 'better-sqlite3', database };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { type: 'postgres', url };
  if (/^mysql:\/\//.test(url)) return { type: 'mysql', url };
  // TypeORM needs to know it talks to MariaDB to read its schema right; the wire protocol is MySQL's.
  if (/^mariadb:\/\//.test(url)) return { type: 'mariadb', url: url.replace(/^mariadb:/, 'mysql:') };
  throw new InvalidConfigError('DATABASE_URL must start with sqlite:, postgres://, mysql:// or mariadb://');
}

/** In development a random secret is made once and kept under .data/; production must bring its own. */
function jwtSecretFrom(env: NodeJS.ProcessEnv): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  if (env.NODE_ENV === 'production') {
    throw new InvalidConfigError('JWT_SECRET is required when NODE_ENV=production (at least 32 random bytes, e.g. `openssl rand -base64 48`)');
  }
  const file = join(DATA_DIR, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  new Logger('Config').warn(`JWT_SECRET is not set: using a development secret kept in ${file}. Set JWT_SECRET in production.`);
  return readFileSync(file, 'utf8').trim();
}
