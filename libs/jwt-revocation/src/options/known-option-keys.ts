import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import type {
  CacheOptions,
  CsrfTokenOptions,
  JwtRevocationModuleOptions,
  RefreshCookieOptions,
  SessionOptions,
  VerifiedTokenMemoOptions,
} from './jwt-revocation-options.interface';

// Records over the option types: adding an option without listing it here fails to compile.
const TOP_LEVEL: Record<keyof JwtRevocationModuleOptions, true> = {
  jwt: true,
  secret: true,
  algorithm: true,
  keys: true,
  signingKeyId: true,
  refreshTokenSecret: true,
  accessTokenTtl: true,
  issuer: true,
  audience: true,
  clockTolerance: true,
  versionClaim: true,
  claims: true,
  maxTokenLength: true,
  tokenVersionStore: true,
  sessionStore: true,
  sessions: true,
  cache: true,
  verifiedTokens: true,
  broadcaster: true,
  onRevocation: true,
  retryAfterSeconds: true,
  cookies: true,
  broadcastTimeoutMs: true,
  heartbeatIntervalMs: true,
  heartbeatDeadlineMs: true,
  watchPeers: true,
  storeTimeoutMs: true,
};
const SESSIONS: Record<keyof SessionOptions, true> = {
  absoluteTtl: true,
  idleTtl: true,
  reuseGraceMs: true,
  purgeIntervalMs: true,
  maxPerUser: true,
  onLimit: true,
};
const CACHE: Record<keyof CacheOptions, true> = { enabled: true, maxEntries: true, ttlMs: true };
const VERIFIED_TOKENS: Record<keyof VerifiedTokenMemoOptions, true> = { enabled: true, maxEntries: true, maxBytes: true };
const COOKIES: Record<keyof RefreshCookieOptions, true> = {
  name: true,
  path: true,
  secure: true,
  sameSite: true,
  csrf: true,
  trustedOrigins: true,
  clearSiteData: true,
};
const CSRF: Record<keyof CsrfTokenOptions, true> = { header: true, cookie: true };

/** Keys that moved or belong elsewhere, with where they went. */
const MOVED: Record<string, string> = {
  typeorm:
    "TypeORM is wired by its own module now: import JwtRevocationTypeOrmModule.forFeature({ userEntity }) from 'nestjs-jwt-revocation/typeorm' and pass its TypeOrmTokenVersionStore and TypeOrmSessionStore (see the README).",
  globalGuard: 'globalGuard shapes the module: give it beside useFactory in forRootAsync, not in the options the factory returns.',
};

/** A misspelt option would otherwise be ignored silently and its default used. */
export function assertKnownKeys(options: JwtRevocationModuleOptions): void {
  assertKnown(options, TOP_LEVEL, '');
  if (isObject(options.sessions)) assertKnown(options.sessions, SESSIONS, 'sessions.');
  if (isObject(options.cache)) assertKnown(options.cache, CACHE, 'cache.');
  if (isObject(options.verifiedTokens)) assertKnown(options.verifiedTokens, VERIFIED_TOKENS, 'verifiedTokens.');
  if (isObject(options.cookies)) {
    assertKnown(options.cookies, COOKIES, 'cookies.');
    if (isObject(options.cookies.csrf)) assertKnown(options.cookies.csrf, CSRF, 'cookies.csrf.');
  }
}

function assertKnown(given: object, known: Record<string, true>, prefix: string): void {
  for (const key of Object.keys(given)) {
    if (Object.prototype.hasOwnProperty.call(known, key)) continue;
    const moved = prefix === '' ? MOVED[key] : undefined;
    throw new JwtRevocationConfigError(
      `unknown option "${prefix}${key}"`,
      moved ?? `Known ${prefix ? `${prefix.slice(0, -1)} ` : ''}options: ${Object.keys(known).join(', ')}.`,
    );
  }
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;
