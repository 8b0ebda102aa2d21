import { hkdfSync } from 'node:crypto';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { KeyRing } from '../keys/key-ring';
import { assertSecretStrength } from '../keys/secret-strength';
import { LocalRevocationBroadcaster } from '../broadcast/local-revocation.broadcaster';
import { resolveCookieOptions } from '../cookies/resolve-cookie-options';
import type { JwtKeyOptions, JwtRevocationModuleOptions, SessionLimitAction } from './jwt-revocation-options.interface';
import type { ResolvedOptions, ResolvedSessions } from './resolved-options';
import { JWT_REVOCATION_DEFAULTS as DEFAULTS } from './jwt-revocation.defaults';
import { assertKnownKeys } from './known-option-keys';
import { RESERVED_CLAIMS } from '../access-tokens/app-claims';
import { fromJwtModuleOptions, OPTIONS_JWT_REPLACES } from './from-jwt-module-options';
import { booleanOption, nonNegativeInteger, optionalString, positiveInteger } from './option-checks';

const MAX_CLOCK_TOLERANCE_SECONDS = 30;
const MIN_REFRESH_SECRET_BYTES = 32;

/** Applies `JWT_REVOCATION_DEFAULTS` and refuses options that cannot work, with a message that says how to fix them. */
export function resolveOptions(options: JwtRevocationModuleOptions | undefined): ResolvedOptions {
  if (!options || typeof options !== 'object') {
    throw new JwtRevocationConfigError('no options given', 'Call JwtRevocationModule.forRoot({ secret, ... }).');
  }
  assertKnownKeys(options);
  options = withJwtModuleOptions(options);
  const accessTokenTtl = positiveInteger(options.accessTokenTtl, DEFAULTS.accessTokenTtl, 'accessTokenTtl', 'seconds');
  const clockTolerance = options.clockTolerance ?? DEFAULTS.clockTolerance;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > MAX_CLOCK_TOLERANCE_SECONDS) {
    throw new JwtRevocationConfigError(`clockTolerance ${clockTolerance} is out of range`, `Use 0 to ${MAX_CLOCK_TOLERANCE_SECONDS} seconds.`);
  }
  const issuer = optionalString(options.issuer, 'issuer');
  const audience = optionalString(options.audience, 'audience');
  const versionClaim = options.versionClaim ?? DEFAULTS.versionClaim;
  if (RESERVED_CLAIMS.includes(versionClaim) || !versionClaim) {
    throw new JwtRevocationConfigError(`versionClaim "${versionClaim}" is reserved`, 'Pick another name, e.g. "ver".');
  }
  const keyRing = new KeyRing(keysOf(options), options.signingKeyId, { issuer, audience, accessTokenTtl, clockToleranceSeconds: clockTolerance });
  const sessionSettings = options.sessions === false ? false : sessionSettingsOf(options.sessions ?? {});
  const cache = {
    enabled: options.cache?.enabled ?? DEFAULTS.cache.enabled,
    maxEntries: positiveInteger(options.cache?.maxEntries, DEFAULTS.cache.maxEntries, 'cache.maxEntries', 'entries'),
    ttlMs: positiveInteger(options.cache?.ttlMs, DEFAULTS.cache.ttlMs, 'cache.ttlMs', 'milliseconds'),
  };
  const memo = DEFAULTS.verifiedTokens;
  const verifiedTokens = {
    enabled: options.verifiedTokens?.enabled ?? memo.enabled,
    maxEntries: positiveInteger(options.verifiedTokens?.maxEntries, memo.maxEntries, 'verifiedTokens.maxEntries', 'entries'),
    maxBytes: positiveInteger(options.verifiedTokens?.maxBytes, memo.maxBytes, 'verifiedTokens.maxBytes', 'bytes'),
  };
  const tokenVersionStore = options.tokenVersionStore;
  if (!tokenVersionStore) {
    throw new JwtRevocationConfigError(
      'no token version store',
      'Set `tokenVersionStore`: InMemoryTokenVersionStore, TypeOrmTokenVersionStore from JwtRevocationTypeOrmModule (nestjs-jwt-revocation/typeorm), or your own.',
    );
  }
  assertImplements(tokenVersionStore, 'tokenVersionStore', 'TokenVersionStore', ['getVersion', 'incrementVersion']);
  const broadcaster = options.broadcaster ?? new LocalRevocationBroadcaster();
  assertImplements(broadcaster, 'broadcaster', 'RevocationBroadcaster', ['start', 'publish', 'isConnected', 'stop']);
  if (options.claims !== undefined && typeof options.claims !== 'function') {
    throw new JwtRevocationConfigError('claims is not a function', 'Pass `(userId) => ({ roles: [...] })` (may be async), or leave it out.');
  }
  if (options.onRevocation !== undefined && typeof options.onRevocation !== 'function') {
    throw new JwtRevocationConfigError('onRevocation is not a function', 'Pass `(event) => ...` or leave it out.');
  }
  const sessions = sessionSettings === false ? false : withSessionStore(sessionSettings, options);
  const heartbeat = heartbeatOf(options);
  return {
    keyRing,
    accessTokenTtl,
    issuer,
    audience,
    clockTolerance,
    versionClaim,
    claims: options.claims,
    maxTokenLength: positiveInteger(options.maxTokenLength, DEFAULTS.maxTokenLength, 'maxTokenLength', 'characters'),
    retryAfterSeconds: positiveInteger(options.retryAfterSeconds, DEFAULTS.retryAfterSeconds, 'retryAfterSeconds', 'seconds'),
    broadcastTimeoutMs: positiveInteger(options.broadcastTimeoutMs, DEFAULTS.broadcastTimeoutMs, 'broadcastTimeoutMs', 'milliseconds'),
    ...heartbeat,
    watchPeers: booleanOption(options.watchPeers, DEFAULTS.watchPeers, 'watchPeers'),
    storeTimeoutMs: positiveInteger(options.storeTimeoutMs, DEFAULTS.storeTimeoutMs, 'storeTimeoutMs', 'milliseconds'),
    cache,
    verifiedTokens,
    sessions,
    tokenVersionStore,
    broadcaster,
    onRevocation: options.onRevocation,
    cookies: resolveCookieOptions(options.cookies, sessions ? sessions.refreshTokenKey : undefined),
  };
}

/** A deadline no longer than the interval would distrust the channel between two healthy heartbeats. */
function heartbeatOf(options: JwtRevocationModuleOptions): { heartbeatIntervalMs: number; heartbeatDeadlineMs: number } {
  const heartbeatIntervalMs = positiveInteger(options.heartbeatIntervalMs, DEFAULTS.heartbeatIntervalMs, 'heartbeatIntervalMs', 'milliseconds');
  const heartbeatDeadlineMs = positiveInteger(options.heartbeatDeadlineMs, DEFAULTS.heartbeatDeadlineMs, 'heartbeatDeadlineMs', 'milliseconds');
  if (heartbeatDeadlineMs <= heartbeatIntervalMs) {
    throw new JwtRevocationConfigError(
      `heartbeatDeadlineMs ${heartbeatDeadlineMs} is not longer than heartbeatIntervalMs ${heartbeatIntervalMs}`,
      'Give the deadline room for a few heartbeats, e.g. heartbeatIntervalMs 500 with heartbeatDeadlineMs 2000.',
    );
  }
  return { heartbeatIntervalMs, heartbeatDeadlineMs };
}

/** `jwt` (an app's JwtModule options) stands in for the key and claim options; never both. */
function withJwtModuleOptions(options: JwtRevocationModuleOptions): JwtRevocationModuleOptions {
  if (options.jwt === undefined) return options;
  const both = OPTIONS_JWT_REPLACES.filter((name) => options[name] !== undefined);
  if (both.length > 0) {
    throw new JwtRevocationConfigError(
      `both \`jwt\` and ${both.map((name) => `\`${name}\``).join(', ')} are set`,
      'Give these in `jwt` (your JwtModule options) or as module options, not both.',
    );
  }
  const { jwt, ...rest } = options;
  const mapped = fromJwtModuleOptions(jwt);
  return { ...rest, ...mapped, refreshTokenSecret: rest.refreshTokenSecret ?? mapped.refreshTokenSecret };
}

function sessionSettingsOf(sessions: NonNullable<Exclude<JwtRevocationModuleOptions['sessions'], false>>) {
  return {
    absoluteTtl: positiveInteger(sessions.absoluteTtl, DEFAULTS.sessions.absoluteTtl, 'sessions.absoluteTtl', 'seconds'),
    idleTtl: positiveInteger(sessions.idleTtl, DEFAULTS.sessions.idleTtl, 'sessions.idleTtl', 'seconds'),
    reuseGraceMs: nonNegativeInteger(sessions.reuseGraceMs, DEFAULTS.sessions.reuseGraceMs, 'sessions.reuseGraceMs'),
    purgeIntervalMs: nonNegativeInteger(sessions.purgeIntervalMs, DEFAULTS.sessions.purgeIntervalMs, 'sessions.purgeIntervalMs'),
    maxPerUser: nonNegativeInteger(sessions.maxPerUser, DEFAULTS.sessions.maxPerUser, 'sessions.maxPerUser'),
    onLimit: sessionLimitActionOf(sessions.onLimit),
  };
}

function sessionLimitActionOf(value: unknown): SessionLimitAction {
  if (value === undefined) return DEFAULTS.sessions.onLimit;
  if (value === 'revoke-oldest' || value === 'refuse') return value;
  throw new JwtRevocationConfigError(`sessions.onLimit ${JSON.stringify(value)} is not an action`, "Use 'revoke-oldest' or 'refuse'.");
}

/** Sessions are on: they need a store and a refresh-token key that key rotation leaves alone. */
function withSessionStore(settings: ReturnType<typeof sessionSettingsOf>, options: JwtRevocationModuleOptions): ResolvedSessions {
  const store = options.sessionStore;
  if (!store) {
    throw new JwtRevocationConfigError(
      'sessions are on but no session store is set',
      'Set `sessionStore` (InMemorySessionStore, TypeOrmSessionStore from JwtRevocationTypeOrmModule, or your own), or `sessions: false` for access tokens only.',
    );
  }
  assertImplements(store, 'sessionStore', 'SessionStore', ['create', 'find', 'rotate', 'revoke', 'revokeFamily', 'listActive', 'purge']);
  return { ...settings, store, refreshTokenKey: refreshTokenKeyOf(options) };
}

/**
 * The refresh-token tag key: from `refreshTokenSecret`, else from `secret` (which never rotates by
 * kid). With `keys` there is no secret rotation leaves alone, so `refreshTokenSecret` is required.
 */
function refreshTokenKeyOf(options: JwtRevocationModuleOptions): Buffer {
  let source = options.refreshTokenSecret;
  if (source !== undefined) {
    const bytes = Buffer.isBuffer(source) ? source : typeof source === 'string' ? Buffer.from(source, 'utf8') : undefined;
    if (!bytes || bytes.length < MIN_REFRESH_SECRET_BYTES) {
      throw new JwtRevocationConfigError(
        `refreshTokenSecret is ${bytes ? `${bytes.length} bytes` : 'not a string or Buffer'}`,
        `Use at least ${MIN_REFRESH_SECRET_BYTES} random bytes, e.g. \`openssl rand -base64 ${MIN_REFRESH_SECRET_BYTES}\`.`,
      );
    }
    assertSecretStrength(Buffer.isBuffer(source) ? source : String(source), 'refreshTokenSecret');
    source = bytes;
  } else if (options.keys !== undefined) {
    throw new JwtRevocationConfigError(
      'sessions with `keys` need a `refreshTokenSecret`',
      'Set `refreshTokenSecret` to at least 32 random bytes that stay the same when signing keys rotate, or `sessions: false`.',
    );
  } else {
    source = options.secret!;
  }
  const material = Buffer.isBuffer(source) ? source : Buffer.from(String(source), 'utf8');
  return Buffer.from(hkdfSync('sha256', material, 'nestjs-jwt-revocation', 'refresh-token-tag', 32));
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
  return [{ algorithm: options.algorithm ?? DEFAULTS.algorithm, secret: options.secret }];
}

/** Catches a class passed where an instance belongs, or an object that is not a store at all. */
function assertImplements(value: unknown, option: string, contract: string, methods: string[]): void {
  const missing = methods.filter((method) => typeof (value as Record<string, unknown> | null)?.[method] !== 'function');
  if (missing.length > 0) {
    throw new JwtRevocationConfigError(
      `${option} is not a ${contract} (no ${missing.join(', ')})`,
      typeof value === 'function' ? `Pass an instance, not the class: \`new ${(value as { name?: string }).name || 'Store'}(...)\` or inject it in forRootAsync.` : `Pass an object implementing ${contract}.`,
    );
  }
}
