import type { KeyObject } from 'node:crypto';
import type { JwtModuleOptions } from '@nestjs/jwt';
import type { JwtAlgorithm } from '../keys/jws-algorithms';
import type { TokenVersionStore } from '../revocation/token-version-store.interface';
import type { SessionStore } from '../sessions/session-store.interface';
import type { RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import type { RevocationEvent } from '../events/revocation-event';

/** One signing or verification key. */
export interface JwtKeyOptions {
  /** Key id written to and matched against the token header `kid`. Required when several keys are configured. */
  kid?: string;
  /** The only algorithm this key accepts; the token header never chooses it. */
  algorithm: JwtAlgorithm;
  /** HMAC secret for `HS*` (at least 32 bytes). */
  secret?: string | Buffer;
  /** PEM or KeyObject; present on the one key that signs. */
  privateKey?: string | Buffer | KeyObject;
  /** PEM or KeyObject; derived from `privateKey` when omitted. */
  publicKey?: string | Buffer | KeyObject;
}

/** Sessions, refresh tokens and single-device logout. Defaults: `JWT_REVOCATION_DEFAULTS.sessions`. */
export interface SessionOptions {
  /** Absolute refresh-token (session) lifetime in seconds. Default 30 days. */
  absoluteTtl?: number;
  /** A session unused this long (seconds) ends. Default 7 days. */
  idleTtl?: number;
  /**
   * Milliseconds during which a concurrent duplicate refresh of the same token receives the
   * same successor pair instead of being treated as reuse. Default 0 (strict).
   */
  reuseGraceMs?: number;
  /** How often (ms) expired and long-revoked session rows are purged. Default 10 minutes; 0 disables. */
  purgeIntervalMs?: number;
  /** Most live sessions one user may have ("one device only": 1). Default 0: no limit. */
  maxPerUser?: number;
  /**
   * A login beyond `maxPerUser`: `'revoke-oldest'` (default) ends the user's least recently used
   * session (last login or refresh), whose access tokens are refused at once on every instance;
   * `'refuse'` fails the login with 409 `session_limit` and changes nothing.
   */
  onLimit?: SessionLimitAction;
}

/** What a login beyond `sessions.maxPerUser` does. */
export type SessionLimitAction = 'revoke-oldest' | 'refuse';

/** The in-process cache of versions and session states. Defaults: `JWT_REVOCATION_DEFAULTS.cache`. */
export interface CacheOptions {
  /** Default true. When false every request reads the source of truth. */
  enabled?: boolean;
  /** Most entries kept (LRU). Default 10 000. */
  maxEntries?: number;
  /** How long (ms) an entry is trusted. Default 60 000. */
  ttlMs?: number;
}

/**
 * The memo of verified access tokens: a token seen again skips its signature check and decoding
 * (`exp`, `nbf` and `iat` are checked on every use, the revocation check always runs, failures are
 * never remembered). Defaults: `JWT_REVOCATION_DEFAULTS.verifiedTokens`.
 */
export interface VerifiedTokenMemoOptions {
  /** Default true. */
  enabled?: boolean;
  /** Most tokens remembered (oldest out first). Default 10 000: size it like `cache.maxEntries`, to the tokens in use at once. */
  maxEntries?: number;
  /** Most memory held, estimated from the tokens' length. Default 16 MiB. */
  maxBytes?: number;
}

/** The CSRF token of cookie mode. Defaults: `JWT_REVOCATION_DEFAULTS.cookies.csrf`. */
export interface CsrfTokenOptions {
  /** Request header the page echoes the token in. Default `x-csrf-token`. */
  header?: string;
  /** Bare name of the script-readable cookie that hands the token to the page (prefixed like the refresh cookie). Default `csrf`. */
  cookie?: string;
}

/**
 * Cookie mode: the refresh token travels in an HttpOnly cookie instead of the body, for browser
 * apps. Defaults: `JWT_REVOCATION_DEFAULTS.cookies`.
 */
export interface RefreshCookieOptions {
  /**
   * Bare cookie name; the prefix follows from `secure` and `path`: `__Host-` with Secure and
   * Path=/, `__Secure-` with Secure and a narrower path, none without Secure. Default `refresh`.
   */
  name?: string;
  /** Path the browser sends the refresh cookie to: the common prefix of your refresh and logout routes. Default `/auth`. */
  path?: string;
  /** Default true. `false` only for http://localhost development: the cookies then lose their prefixes too. */
  secure?: boolean;
  /** Default `strict`. `none` is refused: it would send the cookie on cross-site requests. */
  sameSite?: 'strict' | 'lax';
  /** The CSRF token every cookie-authenticated route requires. */
  csrf?: CsrfTokenOptions;
  /**
   * Origins besides the request's own (its Host) allowed to call cookie routes, e.g. a front-end
   * on another origin behind the same site: `['https://app.example.com']`. Default none.
   */
  trustedOrigins?: string[];
  /** Answer logout and logout-all with `Clear-Site-Data: "cookies"`. Default true. */
  clearSiteData?: boolean;
}

/**
 * Options of `JwtRevocationModule.forRoot()` / `forRootAsync()`: the one declaration, resolved
 * once at startup (unknown keys are refused). Every default is in `JWT_REVOCATION_DEFAULTS`.
 */
export interface JwtRevocationModuleOptions {
  /**
   * Your existing `JwtModule` options (@nestjs/jwt), as they are, instead of `secret`/`keys`,
   * `algorithm`, `accessTokenTtl`, `issuer`, `audience` and `clockTolerance` (see the README for
   * how each maps; `secretOrKeyProvider`, `none`, several algorithms and switched-off checks are refused).
   */
  jwt?: JwtModuleOptions;
  /** HMAC secret (HS256 unless `algorithm` says otherwise). Either this or `keys` is required. */
  secret?: string | Buffer;
  /** Algorithm for `secret`. Default `HS256`. */
  algorithm?: JwtAlgorithm;
  /** Keys for asymmetric algorithms or key rotation. The signing key is `signingKeyId` or the first with a private key or secret. */
  keys?: JwtKeyOptions[];
  /** `kid` of the key that signs new tokens. */
  signingKeyId?: string;
  /**
   * Secret (at least 32 bytes) that authenticates refresh tokens, independent of the signing keys
   * so rotating them never changes how refresh tokens are judged. Required with `keys` while
   * sessions are on; with `secret` it defaults to one derived from `secret`.
   */
  refreshTokenSecret?: string | Buffer;
  /** Access-token lifetime in seconds. Default 900 (15 minutes). */
  accessTokenTtl?: number;
  /** Expected and issued `iss`. Default: not set, not checked. */
  issuer?: string;
  /** Expected and issued `aud`. Default: not set, not checked. */
  audience?: string;
  /** Seconds of clock skew accepted on `exp`, `nbf` and `iat`. Default 5, at most 30. */
  clockTolerance?: number;
  /**
   * The app's claims for a user's access tokens (roles, tenant, flags), asked at every login and
   * every refresh, so a role change reaches the next access token without a logout. Plain JSON
   * values; reserved names (`sub`, the version claim, `typ`, `jti`, `sid`, `iat`, `exp`, `nbf`,
   * `iss`, `aud`) are refused. From `forRootAsync` it can use injected services. Default: none.
   */
  claims?: (userId: string) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;
  /** Name of the version claim. Default `ver`. */
  versionClaim?: string;
  /** Longest Authorization token accepted, in characters. Default 4096. */
  maxTokenLength?: number;
  /**
   * Where users' token versions live (required): `InMemoryTokenVersionStore`, the TypeORM one from
   * `nestjs-jwt-revocation/typeorm` (inject it into `forRootAsync`), or your own.
   */
  tokenVersionStore: TokenVersionStore;
  /** Where sessions live; required unless `sessions: false`. */
  sessionStore?: SessionStore;
  /** Session behaviour; `false` turns sessions and refresh tokens off. Default: on. */
  sessions?: SessionOptions | false;
  /** In-process cache. */
  cache?: CacheOptions;
  /** Memo of verified access tokens (`{ enabled: false }` turns it off). */
  verifiedTokens?: VerifiedTokenMemoOptions;
  /** Broadcasts invalidations between instances (see `nestjs-jwt-revocation/redis`). Default: this process only. */
  broadcaster?: RevocationBroadcaster;
  /** Called after every revocation has been stored. */
  onRevocation?: (event: RevocationEvent) => void | Promise<void>;
  /** Seconds sent in `Retry-After` when the revocation state cannot be read. Default 5. */
  retryAfterSeconds?: number;
  /** Cookie mode for browser apps (needs sessions): `true` or options; default off (refresh tokens in bodies). */
  cookies?: RefreshCookieOptions | boolean;
  /**
   * Longest wait (ms) for the broadcaster to start and for each publish. A revocation is stored
   * first; a publish that fails or takes longer is reported as `broadcast: 'pending'` and retried
   * in the background until `cache.ttlMs` has passed (by then no cache can hold the old state). Default 3000.
   */
  broadcastTimeoutMs?: number;
  /**
   * How often (ms) each instance publishes a heartbeat on the broadcaster; it must see its own come
   * back. Unused with the in-process default. Default 500.
   */
  heartbeatIntervalMs?: number;
  /**
   * The cache is trusted only while the echo of a heartbeat sent less than this long ago (ms) has
   * come back; otherwise every check reads the store until it has. Bounds how long a silent
   * (black-holed) link can leave a revoked token accepted. Must exceed `heartbeatIntervalMs`. Default 2000.
   */
  heartbeatDeadlineMs?: number;
  /**
   * Also distrust the cache while another instance on the broadcaster has not been heard for
   * `heartbeatDeadlineMs`: its link may be the silent one, and its revocations not arriving. Trust
   * returns when it is heard again (with a flush) or after `cache.ttlMs` of silence (it is then
   * forgotten). An instance stopping gracefully says so and is forgotten at once; after a crash the
   * others read the store instead of the cache for up to `cache.ttlMs`. Default true.
   */
  watchPeers?: boolean;
  /** Longest wait (ms) for any one store call; past it the request answers 503 with `Retry-After`. Default 3000. */
  storeTimeoutMs?: number;
}
