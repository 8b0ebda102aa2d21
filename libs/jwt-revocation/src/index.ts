// The public API of nestjs-jwt-revocation. Optional integrations live in their own entry
// points: 'nestjs-jwt-revocation/typeorm' and 'nestjs-jwt-revocation/redis'.
export { JwtRevocationModule } from './jwt-revocation.module';
export type { JwtRevocationModuleExtras } from './jwt-revocation.module-definition';
export { JWT_REVOCATION_MODULE_OPTIONS } from './jwt-revocation.module-definition';
export type {
  CacheOptions,
  JwtAlgorithm,
  JwtKeyOptions,
  JwtRevocationModuleOptions,
  SessionOptions,
  TypeOrmVersionSource,
} from './jwt-revocation.options';
export { AuthTokenService, InvalidRefreshTokenException } from './auth-token.service';
export { AccessTokenVerifier, type VerifyOptions } from './access-token.verifier';
export { RevocationChecker } from './revocation-checker';
export { JwtRevocationGuard } from './jwt-revocation.guard';
export { JwtRevocationStrategy } from './jwt-revocation.strategy';
export { Public } from './decorators/public.decorator';
export { Auth, type AuthOptions } from './decorators/auth.decorator';
export { CurrentUser } from './decorators/current-user.decorator';
export type { AuthenticatedUser } from './authenticated-user';
export type { ClientInfo, SessionView, TokenPair } from './token-pair';
export type { TokenVersionStore } from './stores/token-version-store.interface';
export type { SessionStore, SessionRotation } from './stores/session-store.interface';
export type { RevokeReason, SessionRecord } from './stores/session-record';
export { InMemoryTokenVersionStore } from './stores/memory/in-memory-token-version.store';
export { InMemorySessionStore } from './stores/memory/in-memory-session.store';
export {
  LocalRevocationBroadcaster,
  type InvalidationListener,
  type InvalidationMessage,
  type RevocationBroadcaster,
} from './cache/revocation-broadcaster.interface';
export type { RevocationMetrics } from './cache/revocation-metrics';
export type { RevocationEvent, RevocationEventType } from './events/revocation-event';
export { REVOCATION_EVENT_PREFIX } from './events/revocation-event.publisher';
export {
  BearerAuthException,
  InvalidAuthRequestException,
  InvalidTokenException,
  MissingTokenException,
  RevocationUnavailableException,
} from './errors/bearer-auth.exceptions';
export { JwtRevocationConfigError } from './errors/jwt-revocation-config.error';
export { JwksController, JwksService, type JwksDocument, type PublicJwk } from './keys/jwks';
export { IS_PUBLIC_KEY, AUTH_OPTIONS_KEY, JWT_REVOCATION_STRATEGY, TOKEN_VERSION_STORE, SESSION_STORE } from './jwt-revocation.constants';
