import { BadRequestException, HttpStatus, Inject, Injectable, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_TYPE, RESOLVED_OPTIONS, SESSION_STORE, TOKEN_VERSION_STORE } from './jwt-revocation.constants';
import type { ResolvedOptions } from './resolved-options';
import type { TokenVersionStore } from './stores/token-version-store.interface';
import type { SessionStore } from './stores/session-store.interface';
import type { RevokeReason, SessionRecord } from './stores/session-record';
import type { AuthenticatedUser } from './authenticated-user';
import type { ClientInfo, SessionView, TokenPair } from './token-pair';
import type { RevocationEventType } from './events/revocation-event';
import { RevocationEventPublisher } from './events/revocation-event.publisher';
import type { RevocationMetrics } from './cache/revocation-metrics';
import { RevocationChecker } from './revocation-checker';
import { RefreshTokenCodec } from './refresh-token.codec';
import { BearerAuthException, InvalidTokenException, RevocationUnavailableException } from './errors/bearer-auth.exceptions';
import { JwtRevocationConfigError } from './errors/jwt-revocation-config.error';

/** Refresh-token failures: 401 with the same body whatever the reason, and the challenge RFC 9110 asks of a 401. */
export class InvalidRefreshTokenException extends BearerAuthException {
  readonly headers = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };
  constructor() {
    super({ statusCode: 401, error: 'invalid_grant', message: 'The refresh token is invalid, expired or revoked' }, HttpStatus.UNAUTHORIZED);
  }
}

/**
 * Issues access and refresh tokens and revokes them: logout of one session, of all sessions,
 * after a password change, and of a family whose refresh token was replayed. Every revocation
 * is stored before the method returns; no token or secret is ever logged.
 */
@Injectable()
export class AuthTokenService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('JwtRevocation');
  private readonly refreshTokens: RefreshTokenCodec;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(TOKEN_VERSION_STORE) private readonly versions: TokenVersionStore,
    private readonly revocation: RevocationChecker,
    private readonly events: RevocationEventPublisher,
    @Optional() @Inject(SESSION_STORE) private readonly sessions?: SessionStore,
  ) {
    this.refreshTokens = new RefreshTokenCodec(options.keyRing.deriveKey('refresh-token-tag'));
  }

  onModuleInit(): void {
    const interval = this.options.sessions ? this.options.sessions.purgeIntervalMs : 0;
    if (this.sessions && interval > 0) {
      this.purgeTimer = setInterval(() => {
        this.purgeSessions().catch(() => this.logger.warn('Session purge failed; will retry on the next interval'));
      }, interval);
      this.purgeTimer.unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /**
   * Signs in: a new session (when sessions are on) and a token pair carrying the user's current version.
   * Throws `RevocationUnavailableException` (503) if the version cannot be read.
   */
  async login(userId: string | number, client: ClientInfo = {}): Promise<TokenPair> {
    const id = String(userId);
    const version = await this.readVersion(id);
    const sessionsOptions = this.options.sessions;
    if (!sessionsOptions || !this.sessions) {
      return this.pair(this.signAccessToken(id, version, undefined), undefined, undefined);
    }
    const now = Date.now();
    const sessionId = randomUUID();
    const refreshToken = this.refreshTokens.issue(sessionId, 0);
    await this.store(() =>
      this.sessions!.create({
        id: sessionId,
        userId: id,
        family: sessionId,
        refreshHash: RefreshTokenCodec.hash(refreshToken),
        previousRefreshHash: null,
        generation: 0,
        createdAt: now,
        lastUsedAt: now,
        rotatedAt: now,
        expiresAt: now + sessionsOptions.absoluteTtl * 1000,
        idleExpiresAt: now + sessionsOptions.idleTtl * 1000,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
        ip: client.ip?.slice(0, 64) ?? null,
        revokedAt: null,
        revokeReason: null,
      }),
    );
    return this.pair(this.signAccessToken(id, version, sessionId, now), refreshToken, sessionId);
  }

  /** An access token alone (no session), e.g. for tests or service accounts. */
  async issueAccessToken(userId: string | number): Promise<string> {
    const id = String(userId);
    return this.signAccessToken(id, await this.readVersion(id), undefined);
  }

  /**
   * Exchanges a refresh token for a new pair and rotates it. A replayed (already rotated) token
   * revokes its whole family and throws; within `reuseGraceMs` a concurrent duplicate gets the
   * same successor pair instead.
   */
  async refresh(refreshToken: unknown): Promise<TokenPair> {
    const sessionsOptions = this.requireSessions();
    const parsed = this.refreshTokens.parse(refreshToken);
    if (!parsed) throw new InvalidRefreshTokenException();
    const token = refreshToken as string;
    const session = await this.store(() => this.sessions!.find(parsed.sessionId));
    if (!session || session.revokedAt !== null) throw new InvalidRefreshTokenException();
    const now = Date.now();
    if (now >= session.expiresAt || now >= session.idleExpiresAt) throw new InvalidRefreshTokenException();
    const hash = RefreshTokenCodec.hash(token);
    if (hash === session.refreshHash) {
      const rotated = await this.rotate(session, token, now);
      if (rotated) return rotated;
      // Lost a race with a concurrent refresh of the same token: judge it against the new state.
      const latest = await this.store(() => this.sessions!.find(session.id));
      if (latest && latest.revokedAt === null) return this.duplicateOrReuse(latest, token, hash, now, sessionsOptions.reuseGraceMs);
      throw new InvalidRefreshTokenException();
    }
    if (parsed.authentic && parsed.generation < session.generation) {
      return this.duplicateOrReuse(session, token, hash, now, sessionsOptions.reuseGraceMs);
    }
    throw new InvalidRefreshTokenException();
  }

  /** Ends the caller's session (its refresh token and, on the next request, its access tokens). */
  async logout(user: Pick<AuthenticatedUser, 'id' | 'sessionId'>): Promise<void> {
    this.requireSessions();
    if (!user.sessionId) throw new BadRequestException('This token belongs to no session; use logout-all to end every token');
    await this.endSessions(user.id, [user.sessionId], 'logout', 'logout');
  }

  /** Every token of the user issued before now is refused from the next request on. */
  async logoutAll(userId: string | number): Promise<void> {
    await this.raiseVersion(String(userId), 'logout-all', 'logout-all');
  }

  /**
   * After a password change: every earlier token is refused. With `keepSessionId` that session
   * survives and gets a fresh pair, returned here.
   */
  async passwordChanged(userId: string | number, keepSessionId?: string): Promise<TokenPair | undefined> {
    const id = String(userId);
    await this.raiseVersion(id, 'password-changed', 'password-changed', keepSessionId);
    if (!keepSessionId || !this.sessions) return undefined;
    const kept = await this.store(() => this.sessions!.find(keepSessionId));
    if (!kept || kept.userId !== id || kept.revokedAt !== null) return undefined;
    return this.rotate(kept, undefined, Date.now());
  }

  /** Ends one session of the user; false when the user has no such live session. */
  async revokeSession(userId: string | number, sessionId: string): Promise<boolean> {
    this.requireSessions();
    const revoked = await this.endSessions(String(userId), [sessionId], 'revoked', 'session-revoked');
    return revoked.length > 0;
  }

  /** Ends every session of the user except the current one; returns how many ended. */
  async revokeOtherSessions(userId: string | number, currentSessionId: string): Promise<number> {
    this.requireSessions();
    const id = String(userId);
    const others = (await this.listSessions(id)).filter((s) => s.id !== currentSessionId).map((s) => s.id);
    return (await this.endSessions(id, others, 'other-sessions', 'session-revoked')).length;
  }

  /** The user's live sessions, newest first. */
  async listSessions(userId: string | number): Promise<SessionView[]> {
    this.requireSessions();
    const sessions = await this.store(() => this.sessions!.listActive(String(userId), Date.now()));
    return sessions.map((s) => ({
      id: s.id,
      createdAt: new Date(s.createdAt),
      lastUsedAt: new Date(s.lastUsedAt),
      expiresAt: new Date(s.expiresAt),
      userAgent: s.userAgent,
      ip: s.ip,
    }));
  }

  /**
   * Deletes sessions that ended long enough ago that none of their access tokens can still be
   * valid; runs on its own every `sessions.purgeIntervalMs`. Returns how many rows went.
   */
  async purgeSessions(): Promise<number> {
    if (!this.sessions) return 0;
    const accessLifetimeMs = (this.options.accessTokenTtl + this.options.clockTolerance) * 1000;
    return this.sessions.purge(Date.now() - accessLifetimeMs);
  }

  /** Absolute session (refresh-token) lifetime in seconds, e.g. for a cookie's Max-Age; 0 when sessions are off. */
  sessionLifetimeSeconds(): number {
    return this.options.sessions ? this.options.sessions.absoluteTtl : 0;
  }

  /** Counters for your metrics. */
  metrics(): Readonly<RevocationMetrics & { cacheSize: number }> {
    return { ...this.revocation.metrics, cacheSize: this.revocation.cacheSize };
  }

  private async duplicateOrReuse(session: SessionRecord, token: string, hash: string, now: number, graceMs: number): Promise<TokenPair> {
    const withinGrace = graceMs > 0 && hash === session.previousRefreshHash && now - session.rotatedAt <= graceMs;
    if (withinGrace) {
      const successor = this.refreshTokens.successor(token, session.id, session.generation);
      if (RefreshTokenCodec.hash(successor) === session.refreshHash) {
        const version = await this.readVersion(session.userId);
        return this.pair(this.signAccessToken(session.userId, version, session.id, session.rotatedAt), successor, session.id);
      }
    }
    const revoked = await this.store(() => this.sessions!.revokeFamily(session.family, 'reuse-detected', now));
    await this.afterRevocation('refresh-reuse-detected', session.userId, revoked, { kind: 'sessions', sessionIds: revoked });
    this.logger.warn(`Refresh token reuse detected; session family of user ${session.userId} revoked`);
    throw new InvalidRefreshTokenException();
  }

  /** Rotates the session's refresh token (conditionally on `presented` when given). */
  private async rotate(session: SessionRecord, presented: string | undefined, now: number): Promise<TokenPair | undefined> {
    const sessionsOptions = this.requireSessions();
    const generation = session.generation + 1;
    const next =
      presented !== undefined && sessionsOptions.reuseGraceMs > 0
        ? this.refreshTokens.successor(presented, session.id, generation)
        : this.refreshTokens.issue(session.id, generation);
    const rotated = await this.store(() =>
      this.sessions!.rotate(session.id, session.refreshHash, {
        refreshHash: RefreshTokenCodec.hash(next),
        previousRefreshHash: session.refreshHash,
        generation,
        rotatedAt: now,
        lastUsedAt: now,
        idleExpiresAt: Math.min(session.expiresAt, now + sessionsOptions.idleTtl * 1000),
      }),
    );
    if (!rotated) return undefined;
    const version = await this.readVersion(session.userId);
    return this.pair(this.signAccessToken(session.userId, version, session.id, now), next, session.id);
  }

  private async raiseVersion(userId: string, reason: RevokeReason, type: RevocationEventType, keepSessionId?: string): Promise<void> {
    const raised = await this.store(() => this.versions.incrementVersion(userId));
    let revoked: string[] = [];
    if (this.sessions) {
      const all = await this.store(() => this.sessions!.listActive(userId, Date.now()));
      const ids = all.map((s) => s.id).filter((sid) => sid !== keepSessionId);
      revoked = await this.store(() => this.sessions!.revoke(userId, ids, reason, Date.now()));
    }
    if (!raised && revoked.length === 0) return;
    await this.afterRevocation(type, userId, revoked, { kind: 'user', userId });
    if (revoked.length > 0) await this.store(() => this.revocation.invalidate({ kind: 'sessions', sessionIds: revoked }));
  }

  private async endSessions(userId: string, sessionIds: string[], reason: RevokeReason, type: RevocationEventType): Promise<string[]> {
    const revoked = await this.store(() => this.sessions!.revoke(userId, sessionIds, reason, Date.now()));
    if (revoked.length > 0) {
      await this.afterRevocation(type, userId, revoked, { kind: 'sessions', sessionIds: revoked });
    }
    return revoked;
  }

  private async afterRevocation(
    type: RevocationEventType,
    userId: string,
    sessionIds: string[],
    invalidation: Parameters<RevocationChecker['invalidate']>[0],
  ): Promise<void> {
    this.revocation.metrics.revocations++;
    // Stored already; if the other instances cannot be told, the caller must not see success.
    await this.store(() => this.revocation.invalidate(invalidation));
    await this.events.publish({ type, userId, sessionIds, at: Date.now() });
  }

  private signAccessToken(userId: string, version: number, sessionId: string | undefined, issuedAtMs = Date.now()): string {
    const iat = Math.floor(issuedAtMs / 1000);
    return this.options.keyRing.signToken({
      sub: userId,
      [this.options.versionClaim]: version,
      typ: ACCESS_TOKEN_TYPE,
      jti: sessionId && this.options.sessions && this.options.sessions.reuseGraceMs > 0 ? `${sessionId}:${iat}` : randomUUID(),
      ...(sessionId ? { sid: sessionId } : {}),
      iat,
      exp: iat + this.options.accessTokenTtl,
    });
  }

  private pair(accessToken: string, refreshToken: string | undefined, sessionId: string | undefined): TokenPair {
    return {
      accessToken,
      ...(refreshToken ? { refreshToken } : {}),
      tokenType: 'Bearer',
      expiresIn: this.options.accessTokenTtl,
      ...(sessionId ? { sessionId } : {}),
    };
  }

  private async readVersion(userId: string): Promise<number> {
    const version = await this.store(() => this.versions.getVersion(userId));
    if (version === null) throw new InvalidTokenException();
    return version;
  }

  private requireSessions() {
    if (!this.options.sessions || !this.sessions) {
      throw new JwtRevocationConfigError('sessions are off', 'Enable `sessions` and give a session store (or `typeorm`).');
    }
    return this.options.sessions;
  }

  /** Store failures become a 503 that names nothing internal: a revocation never answers 2xx unless stored. */
  private async store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof RevocationUnavailableException) throw error;
      this.logger.error(`Revocation store unavailable: ${(error as Error)?.name ?? 'error'}`);
      throw new RevocationUnavailableException(this.options.retryAfterSeconds);
    }
  }
}
