import type { Provider } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { JWT_REVOCATION_MODULE_OPTIONS } from './jwt-revocation.module-definition';
import { REVOCATION_BROADCASTER, RESOLVED_OPTIONS, SESSION_STORE, TOKEN_VERSION_STORE } from './jwt-revocation.constants';
import type { JwtRevocationModuleOptions } from './options/jwt-revocation-options.interface';
import { resolveOptions } from './options/resolve-options';
import type { ResolvedOptions } from './options/resolved-options';
import { AccessTokenIssuer } from './access-tokens/access-token.issuer';
import { AccessTokenVerifier } from './access-tokens/access-token.verifier';
import { SessionService } from './sessions/session.service';
import { SessionPurger } from './sessions/session.purger';
import { LiveSessions } from './sessions/live-sessions';
import { SessionLimit } from './sessions/session-limit';
import { RevocationChecker } from './revocation/revocation-checker';
import { RevocationService } from './revocation/revocation.service';
import { RevokedBefore } from './revocation/revoked-before';
import { RevocationEventPublisher } from './events/revocation-event.publisher';
import { AuthTokenService } from './auth-token.service';
import { JwtRevocationGuard } from './guard/jwt-revocation.guard';
import { JwtRevocationStrategy } from './guard/jwt-revocation.strategy';
import { JwksService } from './keys/jwks.service';
import { TELEMETRY_EXPORTS, TELEMETRY_PROVIDERS } from './telemetry/telemetry.providers';
import { RefreshCookieService } from './cookies/refresh-cookie.service';
import { NoStoreTokenResponses } from './responses/no-store-token-responses';
import { LIVE_CONNECTION_EXPORTS, LIVE_CONNECTION_PROVIDERS } from './live/live.providers';
import { InvalidationChannel } from './broadcast/invalidation-channel';

/** The options, resolved once; the stores and the broadcaster come out of them under their tokens. */
const optionProviders: Provider[] = [
  {
    provide: RESOLVED_OPTIONS,
    useFactory: (options: JwtRevocationModuleOptions) => resolveOptions(options),
    inject: [JWT_REVOCATION_MODULE_OPTIONS],
  },
  { provide: TOKEN_VERSION_STORE, useFactory: (options: ResolvedOptions) => options.tokenVersionStore, inject: [RESOLVED_OPTIONS] },
  // null when sessions are off, so an app injecting it can tell.
  { provide: SESSION_STORE, useFactory: (options: ResolvedOptions) => (options.sessions ? options.sessions.store : null), inject: [RESOLVED_OPTIONS] },
  { provide: REVOCATION_BROADCASTER, useFactory: (options: ResolvedOptions) => options.broadcaster, inject: [RESOLVED_OPTIONS] },
  // Heartbeats, sequence numbers and trust over the configured transport.
  { provide: InvalidationChannel, useFactory: (options: ResolvedOptions) => InvalidationChannel.fromOptions(options), inject: [RESOLVED_OPTIONS] },
  // The @nestjs/jwt service access tokens are signed with: an app injects it to sign its own tokens with the same keys.
  { provide: JwtService, useFactory: (options: ResolvedOptions) => options.keyRing.jwtService, inject: [RESOLVED_OPTIONS] },
];

export const JWT_REVOCATION_PROVIDERS: Provider[] = [
  ...optionProviders,
  RevokedBefore,
  RevocationChecker,
  RevocationEventPublisher,
  RevocationService,
  AccessTokenIssuer,
  AccessTokenVerifier,
  LiveSessions,
  SessionLimit,
  SessionService,
  SessionPurger,
  AuthTokenService,
  JwtRevocationGuard,
  JwtRevocationStrategy,
  JwksService,
  ...TELEMETRY_PROVIDERS,
  RefreshCookieService,
  // Every response that hands out a token is marked no-store (RFC 6749 §5.1), by a platform hook, not an interceptor.
  NoStoreTokenResponses,
  ...LIVE_CONNECTION_PROVIDERS,
];

/** What an app can inject from the module. */
export const JWT_REVOCATION_EXPORTS = [
  AuthTokenService,
  AccessTokenVerifier,
  JwtRevocationGuard,
  RevocationChecker,
  JwksService,
  RefreshCookieService,
  RESOLVED_OPTIONS,
  TOKEN_VERSION_STORE,
  SESSION_STORE,
  ...TELEMETRY_EXPORTS,
  JwtService,
  ...LIVE_CONNECTION_EXPORTS,
];
