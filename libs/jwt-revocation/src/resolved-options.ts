import type { CacheOptions, JwtKeyOptions, JwtRevocationModuleOptions, SessionOptions } from './jwt-revocation.options';
import { JwtRevocationConfigError } from './errors/jwt-revocation-config.error';
import { KeyRing } from './keys/key-ring';

const MAX_CLOCK_TOLERANCE_SECONDS = 30;

/** Options after defaults and validation, computed once at startup. */
export interface ResolvedOptions {
  readonly keyRing: KeyRing;
  readonly accessTokenTtl: number;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly clockTolerance: number;
  readonly versionClaim: string;
  readonly maxTokenLength: number;
  readonly sessions: Required<SessionOptions> | false;
  readonly cache: Required<CacheOptions>;
  readonly retryAfterSeconds: number;
  readonly raw: JwtRevocationModuleOptions;
}

export const SESSION_DEFAULTS: Required<SessionOptions> = {
  absoluteTtl: 30 * 24 * 3600,
  idleTtl: 7 * 24 * 3600,
  reuseGraceMs: 0,
  purgeIntervalMs: 10 * 60 * 1000,
};

export const CACHE_DEFAULTS: Required<CacheOptions> = { enabled: true, maxEntries: 10_000, ttlMs: 60_000 };

/** Applies defaults and refuses options that cannot work, with a message that says how to fix them. */
export function resolveOptions(options: JwtRevocationModuleOptions | undefined): ResolvedOptions {
  if (!options || typeof options !== 'object') {
    throw new JwtRevocationConfigError('no options given', 'Call JwtRevocationModule.forRoot({ secret, ... }).');
  }
  const accessTokenTtl = positiveInteger(options.accessTokenTtl, 900, 'accessTokenTtl', 'seconds');
  const clockTolerance = options.clockTolerance ?? 5;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > MAX_CLOCK_TOLERANCE_SECONDS) {
    throw new JwtRevocationConfigError(
      `clockTolerance ${clockTolerance} is out of range`,
      `Use 0 to ${MAX_CLOCK_TOLERANCE_SECONDS} seconds.`,
    );
  }
  const issuer = optionalString(options.issuer, 'issuer');
  const audience = optionalString(options.audience, 'audience');
  const versionClaim = options.versionClaim ?? 'ver';
  if (['sub', 'iat', 'exp', 'nbf', 'jti', 'iss', 'aud', 'typ', 'sid'].includes(versionClaim) || !versionClaim) {
    throw new JwtRevocationConfigError(`versionClaim "${versionClaim}" is reserved`, 'Pick another name, e.g. "ver".');
  }
  const keyRing = new KeyRing(keysOf(options), options.signingKeyId, { issuer, audience, clockToleranceSeconds: clockTolerance });
  const sessions =
    options.sessions === false
      ? false
      : {
          absoluteTtl: positiveInteger(options.sessions?.absoluteTtl, SESSION_DEFAULTS.absoluteTtl, 'sessions.absoluteTtl', 'seconds'),
          idleTtl: positiveInteger(options.sessions?.idleTtl, SESSION_DEFAULTS.idleTtl, 'sessions.idleTtl', 'seconds'),
          reuseGraceMs: nonNegativeInteger(options.sessions?.reuseGraceMs, 0, 'sessions.reuseGraceMs'),
          purgeIntervalMs: nonNegativeInteger(options.sessions?.purgeIntervalMs, SESSION_DEFAULTS.purgeIntervalMs, 'sessions.purgeIntervalMs'),
        };
  const cache = {
    enabled: options.cache?.enabled ?? CACHE_DEFAULTS.enabled,
    maxEntries: positiveInteger(options.cache?.maxEntries, CACHE_DEFAULTS.maxEntries, 'cache.maxEntries', 'entries'),
    ttlMs: positiveInteger(options.cache?.ttlMs, CACHE_DEFAULTS.ttlMs, 'cache.ttlMs', 'milliseconds'),
  };
  if (!options.tokenVersionStore && !options.typeorm) {
    throw new JwtRevocationConfigError(
      'no token version store',
      'Set `typeorm: { entity: User }` (with a `tokenVersion` integer column) or `tokenVersionStore`.',
    );
  }
  return {
    keyRing,
    accessTokenTtl,
    issuer,
    audience,
    clockTolerance,
    versionClaim,
    maxTokenLength: positiveInteger(options.maxTokenLength, 4096, 'maxTokenLength', 'characters'),
    sessions,
    cache,
    retryAfterSeconds: positiveInteger(options.retryAfterSeconds, 5, 'retryAfterSeconds', 'seconds'),
    raw: options,
  };
}

function keysOf(options: JwtRevocationModuleOptions): JwtKeyOptions[] {
  if (options.keys !== undefined) {
    if (!Array.isArray(options.keys)) {
      throw new JwtRevocationConfigError('`keys` is not an array', 'Pass an array of { kid, algorithm, secret | privateKey | publicKey }.');
    }
    if (options.secret !== undefined) {
      throw new JwtRevocationConfigError('both `secret` and `keys` are set', 'Use one of them.');
    }
    return options.keys;
  }
  if (options.secret === undefined || options.secret === null || options.secret === '') {
    throw new JwtRevocationConfigError('the signing secret is missing', 'Set `secret` to at least 32 random bytes (e.g. from JWT_SECRET).');
  }
  return [{ algorithm: options.algorithm ?? 'HS256', secret: options.secret }];
}

function positiveInteger(value: number | undefined, fallback: number, name: string, unit: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new JwtRevocationConfigError(`${name} must be a positive integer (${unit}), got ${String(value)}`, `Set ${name} to a whole number above 0.`);
  }
  return value;
}

function nonNegativeInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new JwtRevocationConfigError(`${name} must be an integer >= 0, got ${String(value)}`, `Set ${name} to 0 or more.`);
  }
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new JwtRevocationConfigError(`${name} must be a non-empty string`, `Set ${name} to a string or leave it out.`);
  }
  return value;
}
