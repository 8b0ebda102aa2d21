import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS } from './jwt-revocation.constants';
import type { ResolvedOptions } from './options/resolved-options';
import { AccessTokenIssuer } from './access-tokens/access-token.issuer';
import type { AuthenticatedUser } from './access-tokens/authenticated-user';
import type { LoginOptions, TokenPair } from './access-tokens/token-pair';
import { SessionService } from './sessions/session.service';
import { SessionPurger } from './sessions/session.purger';
import type { SessionView } from './sessions/session-view';
import { sessionsOf } from './sessions/sessions-of';
import { RevocationService } from './revocation/revocation.service';
import { RevocationChecker } from './revocation/revocation-checker';
import type { RevocationMetrics } from './metrics/revocation-metrics';
import { RevocationTelemetry } from './telemetry/revocation-telemetry';
import type { RevocationResult } from './revocation/revocation-result';
import { isUserId, UnknownUserError } from './errors/unknown-user.error';

/**
 * Issues access and refresh tokens and revokes them: logout of one session, of all sessions,
 * after a password change, and of a family whose refresh token was replayed. Every revocation
 * is stored before the method returns; no token or secret is ever logged. The one service an
 * app injects; the work is done by the issuer, the sessions, the revocations and the purger.
 */
@Injectable()
export class AuthTokenService {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly issuer: AccessTokenIssuer,
    private readonly sessions: SessionService,
    private readonly revocation: RevocationService,
    private readonly purger: SessionPurger,
    private readonly checker: RevocationChecker,
    private readonly telemetry: RevocationTelemetry,
  ) {}

  /**
   * Signs in: a new session (when sessions are on) and a token pair carrying the user's current
   * version and the app's claims (the `claims` option's, then `options.claims`).
   * Throws `RevocationUnavailableException` (503) if the version cannot be read, and
   * `AccessTokenClaimsError` for claims a token cannot carry (nothing is stored then).
   */
  async login(userId: string | number, options: LoginOptions = {}): Promise<TokenPair> {
    const id = userIdOf('login()', userId);
    const { claims, ...client } = options;
    const version = await this.knownVersion('login()', id);
    if (!this.options.sessions) return this.issuer.pair(await this.issuer.sign(id, version, undefined, await this.issuer.issueTime(), claims));
    return this.sessions.start(id, version, client, claims);
  }

  /** An access token alone (no session), e.g. for tests or service accounts; `claims` as in `login()`. */
  async issueAccessToken(userId: string | number, claims?: Record<string, unknown>): Promise<string> {
    const id = userIdOf('issueAccessToken()', userId);
    return this.issuer.sign(id, await this.knownVersion('issueAccessToken()', id), undefined, await this.issuer.issueTime(), claims);
  }

  /**
   * Everyone out (incident response): every access token and session issued before this call is
   * refused, for every user, on every instance — stored durably, broadcast like any revocation,
   * announced as a `logout-everyone` event. Logins after it are unaffected. Needs a token version
   * store with `getRevokedBefore`/`setRevokedBefore` (in-memory and TypeORM have them). Resolves
   * once stored (see `RevocationResult`).
   */
  async logoutEveryone(): Promise<RevocationResult> {
    return this.telemetry.traceRevocation('logout-everyone', () => this.revocation.logoutEveryone());
  }

  /**
   * Exchanges a refresh token for a new pair and rotates it. A replayed (already rotated) token
   * revokes its whole family and throws; within `reuseGraceMs` a concurrent duplicate gets the
   * same successor pair instead.
   */
  async refresh(refreshToken: unknown): Promise<TokenPair> {
    return this.telemetry.traceRefresh((recorder) => this.sessions.refresh(refreshToken, recorder));
  }

  /**
   * Ends the caller's session (its refresh token and, on the next request, its access tokens).
   * Resolves once stored, saying whether the other instances were told (see `RevocationResult`).
   */
  async logout(user: Pick<AuthenticatedUser, 'id' | 'sessionId'>): Promise<RevocationResult> {
    sessionsOf(this.options);
    userIdOf('logout()', user?.id);
    if (!user.sessionId) throw new BadRequestException('This token belongs to no session; use logout-all to end every token');
    const sessionId = user.sessionId;
    const { stored, broadcast } = await this.telemetry.traceRevocation('logout', () => this.revocation.endSessions(user.id, [sessionId], 'logout', 'logout'), ended);
    return { stored, broadcast };
  }

  /**
   * Every token of the user issued before now is refused from the next request on; resolves once
   * stored (see `RevocationResult`). Throws `UnknownUserError` for no user id or one the store does
   * not know: never success for nothing.
   */
  async logoutAll(userId: string | number): Promise<RevocationResult> {
    const id = userIdOf('logoutAll()', userId);
    const result = await this.telemetry.traceRevocation('logout-all', () => this.revocation.raiseVersion(id, 'logout-all', 'logout-all'));
    if (!result) throw new UnknownUserError('logoutAll()', userId);
    return result;
  }

  /**
   * After a password change: every earlier token is refused. With `keepSessionId` that session
   * survives, bound to the new version, and gets a fresh pair, returned here. Resolves once the
   * change is stored, also when the broadcast is still pending (logged; see `RevocationResult`),
   * so the client always receives the pair that now works.
   */
  async passwordChanged(userId: string | number, keepSessionId?: string): Promise<TokenPair | undefined> {
    const id = userIdOf('passwordChanged()', userId);
    const result = await this.telemetry.traceRevocation('password-changed', () =>
      this.revocation.raiseVersion(id, 'password-changed', 'password-changed', keepSessionId),
    );
    if (!result) throw new UnknownUserError('passwordChanged()', userId);
    if (!keepSessionId || !this.options.sessions) return undefined;
    return this.sessions.rebind(id, keepSessionId);
  }

  /**
   * Call when you delete a user (before or after its row goes): every session and token of the user
   * ends, on every instance, so a user later given the same id inherits nothing. Resolves once stored.
   */
  async userDeleted(userId: string | number): Promise<RevocationResult> {
    return this.revocation.endUser(userIdOf('userDeleted()', userId));
  }

  /** Ends one session of the user; false when the user has no such live session. */
  async revokeSession(userId: string | number, sessionId: string): Promise<boolean> {
    const id = userIdOf('revokeSession()', userId);
    const { revoked } = await this.telemetry.traceRevocation('session-revoked', () => this.revocation.endSessions(id, [sessionId], 'revoked', 'session-revoked'), ended);
    return revoked.length > 0;
  }

  /** Ends every session of the user except the current one; returns how many ended. */
  async revokeOtherSessions(userId: string | number, currentSessionId: string): Promise<number> {
    const id = userIdOf('revokeOtherSessions()', userId);
    return (await this.telemetry.traceRevocation('session-revoked', () => this.revocation.endOtherSessions(id, currentSessionId), ended)).revoked.length;
  }

  /** The user's live sessions, newest first. */
  async listSessions(userId: string | number): Promise<SessionView[]> {
    return this.sessions.list(userIdOf('listSessions()', userId));
  }

  /**
   * Deletes sessions that ended long enough ago that none of their access tokens can still be
   * valid; runs on its own every `sessions.purgeIntervalMs`. Returns how many rows went.
   */
  async purgeSessions(): Promise<number> {
    return this.purger.purge();
  }

  /** Absolute session (refresh-token) lifetime in seconds, e.g. for a cookie's Max-Age; 0 when sessions are off. */
  sessionLifetimeSeconds(): number {
    return this.options.sessions ? this.options.sessions.absoluteTtl : 0;
  }

  /** The user's version, or `UnknownUserError` when the store does not know the user (503 when unreadable). */
  private async knownVersion(method: string, id: string): Promise<number> {
    const version = await this.issuer.versionOf(id);
    if (version === null) throw new UnknownUserError(method, id);
    return version;
  }

  /** Counters for your metrics. */
  metrics(): Readonly<RevocationMetrics & { cacheSize: number }> {
    return { ...this.telemetry.metrics(), cacheSize: this.checker.cacheSize };
  }
}

const ended = (result: { revoked: string[] }): number => result.revoked.length;
/** The id as the library keys it (a string); `UnknownUserError` for no id at all. */
function userIdOf(method: string, userId: unknown): string {
  if (!isUserId(userId)) throw new UnknownUserError(method, userId);
  return String(userId);
}
