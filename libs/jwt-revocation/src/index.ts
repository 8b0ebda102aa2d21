// The public API of nestjs-jwt-revocation. Optional integrations live in their own entry
// points: 'nestjs-jwt-revocation/typeorm', '/prisma', '/drizzle', '/mikro-orm', '/redis', '/terminus' and '/testing'.

// Module and options
export { JwtRevocationModule } from './jwt-revocation.module';
export type { JwtRevocationModuleExtras } from './jwt-revocation.module-definition';
export { JWT_REVOCATION_MODULE_OPTIONS } from './jwt-revocation.module-definition';
export type {
  CacheOptions,
  VerifiedTokenMemoOptions,
  CsrfTokenOptions,
  JwtKeyOptions,
  JwtRevocationModuleOptions,
  RefreshCookieOptions,
  SessionLimitAction,
  SessionOptions,
} from './options/jwt-revocation-options.interface';
export { JWT_REVOCATION_DEFAULTS } from './options/jwt-revocation.defaults';
export {
  IS_PUBLIC_KEY,
  AUTH_OPTIONS_KEY,
  JWT_REVOCATION_STRATEGY,
  TOKEN_VERSION_STORE,
  SESSION_STORE,
  REVOCATION_BROADCASTER,
} from './jwt-revocation.constants';

// Access tokens
export { AuthTokenService } from './auth-token.service';
export { AccessTokenVerifier, type VerifyOptions } from './access-tokens/access-token.verifier';
export type { AuthenticatedUser } from './access-tokens/authenticated-user';
export type { ClientInfo, LoginOptions, TokenPair } from './access-tokens/token-pair';

// Guard, strategy, decorators
export { JwtRevocationGuard } from './guard/jwt-revocation.guard';
export { JwtRevocationStrategy } from './guard/jwt-revocation.strategy';
export type { AuthRequest } from './guard/request-context';
export { Public } from './decorators/public.decorator';
export { Auth } from './decorators/auth.decorator';
export type { AuthOptions } from './decorators/auth-options';
export { CurrentUser } from './decorators/current-user.decorator';
export { NoStore } from './decorators/no-store.decorator';
export { TokenResponseInterceptor } from './responses/token-response.interceptor';

// Sessions
export type { SessionView } from './sessions/session-view';
export type { SessionStore, SessionRotation } from './sessions/session-store.interface';
export type { RevokeReason, SessionRecord } from './sessions/session-record';
export { InMemorySessionStore } from './sessions/in-memory-session.store';

// Cookie mode (browser apps)
export { RefreshCookieService, type CookieRequest, type CookieTokenPair } from './cookies/refresh-cookie.service';
export { RefreshCookie, SetsRefreshCookie, ClearsRefreshCookie } from './cookies/refresh-cookie.decorators';
export { RefreshCookieInterceptor, REFRESH_COOKIE_ROLE, type RefreshCookieRole } from './cookies/refresh-cookie.interceptor';
export { RefreshCookiePipe } from './cookies/refresh-cookie.pipe';
export { prefixedCookieName } from './cookies/cookie-name-prefix';
export type { ResolvedCookies } from './cookies/resolved-cookies';

// Revocation
export { RevocationChecker } from './revocation/revocation-checker';
export type { SessionState, TokenVersionStore, VersionAndSession, VersionAndSessionReader } from './revocation/token-version-store.interface';
export type { RevocationResult } from './revocation/revocation-result';
export { InMemoryTokenVersionStore } from './revocation/in-memory-token-version.store';
export type { RevocationMetrics } from './metrics/revocation-metrics';

// Broadcast
export type { InvalidationListener, InvalidationMessage, RevocationBroadcaster } from './broadcast/revocation-broadcaster.interface';
export { LocalRevocationBroadcaster } from './broadcast/local-revocation.broadcaster';
export { InvalidationChannel, type ChannelListener, type ChannelTiming } from './broadcast/invalidation-channel';

// Live connections: socket.io, graphql-ws and SSE connections end on revocation and expiry
export { LiveConnectionRegistry } from './live/live-connection.registry';
export type { LiveConnection, CloseLiveConnection } from './live/live-connection';
export type { LiveCloseReason } from './live/live-close-reason';
export { RevocationListeners, type RevocationListener } from './live/revocation-listeners';
export {
  SocketIoLiveConnections,
  SOCKET_REVOKED_EVENT,
  SOCKET_AUTHENTICATE_EVENT,
  type LiveSocket,
  type LiveSocketServer,
  type SocketRefusal,
} from './live/socket-io.live-connections';
export {
  GraphqlWsLiveConnections,
  GRAPHQL_WS_REVOKED_CLOSE_CODE,
  GRAPHQL_WS_UNAVAILABLE_CLOSE_CODE,
  type GraphqlWsAuthOptions,
} from './live/graphql-ws.live-connections';
export type { GraphqlWsContext } from './guard/graphql-ws-request';
export { SseLiveConnectionInterceptor, SSE_REVOKED_EVENT } from './live/sse-live-connection.interceptor';
export { RPC_TOKEN_FIELD } from './guard/rpc-request';

// Events
export type { RevocationEvent, RevocationEventType } from './events/revocation-event';
export { REVOCATION_EVENT_PREFIX } from './events/revocation-event.publisher';

// Telemetry (OpenTelemetry through the optional peer @opentelemetry/api) and what health checks read
export { RevocationTelemetry, type RevocationTelemetryOptions, type RefreshRecorder } from './telemetry/revocation-telemetry';
export { METRIC_NAMES, SPAN_NAMES, SPAN_ATTRIBUTES } from './telemetry/telemetry-names';
export type { CheckOutcome, CheckSource, RefreshOutcome, StoreReadTarget } from './telemetry/telemetry-names';
export { REVOCATION_STORE_PROBE, StoreReadProbe, type RevocationStoreProbe } from './health/revocation-store-probe';
export {
  INVALIDATION_CHANNEL_STATUS,
  BroadcasterConnectionStatus,
  type InvalidationChannelStatus,
} from './health/invalidation-channel-status';

// Errors
export {
  BearerAuthException,
  InvalidAuthRequestException,
  InvalidTokenException,
  MissingTokenException,
  RevocationUnavailableException,
} from './errors/bearer-auth.exceptions';
export { InvalidRefreshTokenException, type RefreshRefusal } from './errors/invalid-refresh-token.exception';
export { CsrfRefusedException, type CsrfRefusal } from './errors/csrf-refused.exception';
export { SessionLimitException } from './errors/session-limit.exception';
export { JwtRevocationConfigError } from './errors/jwt-revocation-config.error';
export { AccessTokenClaimsError } from './errors/access-token-claims.error';
export { UnknownUserError } from './errors/unknown-user.error';
export { writeAuthHeaders } from './errors/auth-headers';
export { BearerAuthExceptionFilter } from './errors/bearer-auth-exception.filter';
export { AuthHeadersInterceptor } from './errors/auth-headers.interceptor';

// Keys
export type { JwtAlgorithm } from './keys/jws-algorithms';
export { JwksService } from './keys/jwks.service';
export { JwksController } from './keys/jwks.controller';
export type { JwksDocument, PublicJwk } from './keys/jwks-document';
