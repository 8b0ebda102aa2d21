import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions, ResolvedSessions } from '../options/resolved-options';
import { AccessTokenIssuer } from '../access-tokens/access-token.issuer';
import type { ClientInfo, TokenPair } from '../access-tokens/token-pair';
import { RevocationService } from '../revocation/revocation.service';
import { RevokedBefore } from '../revocation/revoked-before';
import { InvalidRefreshTokenException } from '../errors/invalid-refresh-token.exception';
import { callStore } from '../errors/store-call';
import { RefreshTokenCodec } from './refresh-token.codec';
import type { SessionRecord } from './session-record';
import type { SessionView } from './session-view';
import { sessionsOf } from './sessions-of';
import { RevocationTelemetry, type RefreshRecorder } from '../telemetry/revocation-telemetry';
import { LiveSessions } from './live-sessions';
import { SessionLimit } from './session-limit';

/**
 * Sessions and their rotating refresh tokens: starting one at login, exchanging a refresh token
 * for a new pair (with reuse detection and the optional grace window), listing them.
 */
@Injectable()
export class SessionService {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly issuer: AccessTokenIssuer,
    private readonly revocation: RevocationService,
    private readonly telemetry: RevocationTelemetry,
    private readonly revokedBefore: RevokedBefore,
    private readonly live: LiveSessions,
    private readonly limit: SessionLimit,
  ) {}

  /** A new session for a user whose current version is `version`, and its first pair (with `claims` in its access token). */
  async start(userId: string, version: number, client: ClientInfo, claims?: Record<string, unknown>): Promise<TokenPair> {
    const sessions = this.sessions;
    const now = await this.issuer.issueTime();
    const sessionId = randomUUID();
    const refreshToken = this.refreshTokens.issue(sessionId, 0);
    const expiresAt = now + sessions.absoluteTtl * 1000;
    // Signed first: claims it cannot carry fail the login before a session is stored.
    const accessToken = await this.issuer.sign(userId, version, sessionId, now, claims);
    await this.limit.beforeLogin(userId, now);
    await this.store(() =>
      sessions.store.create({
        id: sessionId,
        userId,
        family: sessionId,
        refreshHash: RefreshTokenCodec.hash(refreshToken),
        previousRefreshHash: null,
        generation: 0,
        tokenVersion: version,
        createdAt: now,
        lastUsedAt: now,
        rotatedAt: now,
        expiresAt,
        idleExpiresAt: now + sessions.idleTtl * 1000,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
        ip: client.ip?.slice(0, 64) ?? null,
        revokedAt: null,
        revokeReason: null,
      }),
    );
    await this.limit.afterLogin(userId, sessionId, now);
    return this.issuer.pair(accessToken, { refreshToken, sessionId, expiresAt }, now);
  }

  /**
   * Exchanges a refresh token for a new pair and rotates it. A replayed (already rotated) token
   * revokes its whole family and throws; within `reuseGraceMs` a concurrent duplicate gets the
   * same successor pair instead. A session bound to another version than the user's is ended.
   */
  async refresh(refreshToken: unknown, recorder?: RefreshRecorder): Promise<TokenPair> {
    const sessions = this.sessions;
    const parsed = this.refreshTokens.parse(refreshToken);
    if (!parsed) throw new InvalidRefreshTokenException('invalid');
    const token = refreshToken as string;
    const session = await this.store(() => sessions.store.find(parsed.sessionId));
    if (!session || session.revokedAt !== null) throw new InvalidRefreshTokenException(session ? 'revoked' : 'invalid');
    const now = await this.issuer.issueTime();
    if (now >= session.expiresAt || now >= session.idleExpiresAt) throw new InvalidRefreshTokenException('expired');
    if (session.createdAt < (await this.revokedBefore.current(false)) * 1000) {
      // Started before logoutEveryone(): over, like every token of that time.
      await this.revocation.endSessions(session.userId, [session.id], 'everyone-out', 'session-revoked');
      throw new InvalidRefreshTokenException('revoked');
    }
    const version = await this.store(() => this.options.tokenVersionStore.getVersion(session.userId));
    if (version === null) {
      // The user was deleted: end the session now, so a user later given the same id cannot inherit it.
      await this.revocation.endSessions(session.userId, [session.id], 'user-deleted', 'session-revoked');
      throw new InvalidRefreshTokenException('invalid');
    }
    if (session.tokenVersion >= 0 && session.tokenVersion !== version) {
      // Raised since (logout-all, password change, or straight in the database): the session is over.
      await this.revocation.endSessions(session.userId, [session.id], 'version-changed', 'session-revoked');
      throw new InvalidRefreshTokenException('revoked');
    }
    const hash = RefreshTokenCodec.hash(token);
    if (hash === session.refreshHash) {
      const rotated = await this.rotate(session, token, now, version);
      if (rotated) return rotated;
      // Lost a race with a concurrent refresh of the same token: judge it against the new state.
      const latest = await this.store(() => sessions.store.find(session.id));
      if (latest && latest.revokedAt === null) return this.duplicateOrReuse(latest, token, hash, now, version, recorder);
      throw new InvalidRefreshTokenException('revoked');
    }
    if (parsed.authentic && parsed.generation < session.generation) return this.duplicateOrReuse(session, token, hash, now, version, recorder);
    throw new InvalidRefreshTokenException('invalid');
  }

  /**
   * Binds a live session of the user to the user's current version and gives it a fresh pair (a
   * password change that keeps this device); undefined when it is not the user's live session.
   */
  async rebind(userId: string, sessionId: string): Promise<TokenPair | undefined> {
    const kept = await this.store(() => this.sessions.store.find(sessionId));
    const now = await this.issuer.issueTime();
    if (!kept || kept.userId !== userId || kept.revokedAt !== null || now >= Math.min(kept.expiresAt, kept.idleExpiresAt)) return undefined;
    if (kept.createdAt < (await this.revokedBefore.current(false)) * 1000) return undefined;
    return this.rotate(kept, undefined, now, await this.issuer.currentVersion(userId));
  }

  /**
   * Ends the live session a refresh token we issued belongs to (a browser signing in again over
   * an old cookie), unless it is `keepSessionId`; true when one ended.
   */
  async endByRefreshToken(refreshToken: string, keepSessionId: string | undefined): Promise<boolean> {
    const parsed = this.refreshTokens.parse(refreshToken);
    if (!parsed?.authentic || parsed.sessionId === keepSessionId) return false;
    const session = await this.store(() => this.sessions.store.find(parsed.sessionId));
    if (!session || session.revokedAt !== null) return false;
    const ended = await this.revocation.endSessions(session.userId, [session.id], 'logout', 'logout');
    return ended.revoked.length > 0;
  }

  /** The session id a refresh token names, when its tag proves this library issued it. */
  sessionIdOf(refreshToken: string): string | undefined {
    const parsed = this.refreshTokens.parse(refreshToken);
    return parsed?.authentic ? parsed.sessionId : undefined;
  }

  /** The user's live sessions, newest first. */
  async list(userId: string): Promise<SessionView[]> {
    const live = await this.live.of(userId, Date.now());
    return live.map((s) => ({
      id: s.id,
      createdAt: new Date(s.createdAt),
      lastUsedAt: new Date(s.lastUsedAt),
      expiresAt: new Date(s.expiresAt),
      userAgent: s.userAgent,
      ip: s.ip,
    }));
  }

  private async duplicateOrReuse(session: SessionRecord, token: string, hash: string, now: number, version: number, recorder?: RefreshRecorder): Promise<TokenPair> {
    const graceMs = this.sessions.reuseGraceMs;
    const withinGrace = graceMs > 0 && hash === session.previousRefreshHash && now - session.rotatedAt <= graceMs;
    if (withinGrace) {
      const successor = this.refreshTokens.successor(token, session.id, session.generation);
      if (RefreshTokenCodec.hash(successor) === session.refreshHash) {
        recorder?.grace();
        const access = await this.issuer.sign(session.userId, version, session.id, session.rotatedAt);
        return this.issuer.pair(access, { refreshToken: successor, sessionId: session.id, expiresAt: session.expiresAt }, now);
      }
    }
    await this.revocation.endFamilyOnReuse(session);
    throw new InvalidRefreshTokenException('reuse');
  }

  /** Rotates the session's refresh token (conditionally on `presented` when given), bound to `version`. */
  private async rotate(session: SessionRecord, presented: string | undefined, now: number, version: number): Promise<TokenPair | undefined> {
    const sessions = this.sessions;
    const generation = session.generation + 1;
    const next =
      presented !== undefined && sessions.reuseGraceMs > 0
        ? this.refreshTokens.successor(presented, session.id, generation)
        : this.refreshTokens.issue(session.id, generation);
    // Signed before rotating: a token that cannot be issued must not cost the client its refresh token.
    const accessToken = await this.issuer.sign(session.userId, version, session.id, now);
    const rotated = await this.store(() =>
      sessions.store.rotate(session.id, session.refreshHash, {
        refreshHash: RefreshTokenCodec.hash(next),
        previousRefreshHash: session.refreshHash,
        generation,
        rotatedAt: now,
        lastUsedAt: now,
        idleExpiresAt: Math.min(session.expiresAt, now + sessions.idleTtl * 1000),
        ...(session.tokenVersion !== version ? { tokenVersion: version } : {}),
      }),
    );
    if (!rotated) return undefined;
    return this.issuer.pair(accessToken, { refreshToken: next, sessionId: session.id, expiresAt: session.expiresAt }, now);
  }

  private get sessions(): ResolvedSessions {
    return sessionsOf(this.options);
  }

  private get refreshTokens(): RefreshTokenCodec {
    return new RefreshTokenCodec(this.sessions.refreshTokenKey);
  }

  private store<T>(operation: () => Promise<T>): Promise<T> {
    return callStore(operation, this.options, this.telemetry);
  }
}
