import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_TYPE, RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import { InvalidTokenException } from '../errors/bearer-auth.exceptions';
import { AccessTokenClaimsError } from '../errors/access-token-claims.error';
import { callStore } from '../errors/store-call';
import { assertAppClaims } from './app-claims';
import { RevokedBefore } from '../revocation/revoked-before';
import type { TokenPair } from './token-pair';

/** Signs access tokens that carry the user's current token version and the app's claims, and packs them into pairs. */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly revokedBefore: RevokedBefore,
  ) {}

  /**
   * Now, in ms, once past the everyone-out cutoff: right after `logoutEveryone()` a token signed in
   * the same second would carry an `iat` the cutoff refuses, so this waits (at most a second).
   */
  async issueTime(): Promise<number> {
    const cutoffMs = (this.revokedBefore.ifFresh(false) ?? (await this.revokedBefore.read())) * 1000;
    let now = Date.now();
    if (cutoffMs - now > 2000) return now;
    // Timers run on the monotonic clock and may fire a millisecond before the wall clock reaches the
    // cutoff: a token signed then would be refused at birth, so wait until the wall clock says so.
    while (now < cutoffMs) {
      await new Promise((resolve) => setTimeout(resolve, cutoffMs - now));
      now = Date.now();
    }
    return now;
  }

  /** The user's version now; `InvalidTokenException` for an unknown user, 503 when unreadable. */
  async currentVersion(userId: string): Promise<number> {
    const version = await this.versionOf(userId);
    if (version === null) throw new InvalidTokenException();
    return version;
  }

  /** The user's version now, null for a user the store does not know; 503 when unreadable. */
  versionOf(userId: string): Promise<number | null> {
    return callStore(() => this.options.tokenVersionStore.getVersion(userId), this.options);
  }

  /**
   * Signs an access token with the app's claims: the `claims` option's (asked on every call, so a
   * role change reaches the next token) and then `extra`'s. Throws `AccessTokenClaimsError` for
   * claims it cannot carry, and for a token longer than `maxTokenLength`: never one the guard would refuse.
   */
  async sign(userId: string, version: number, sessionId: string | undefined, issuedAtMs = Date.now(), extra?: Record<string, unknown>): Promise<string> {
    const claims = await this.appClaims(userId, extra);
    const iat = Math.floor(issuedAtMs / 1000);
    const sessions = this.options.sessions;
    const token = this.options.keyRing.signToken({
      ...claims,
      sub: userId,
      [this.options.versionClaim]: version,
      typ: ACCESS_TOKEN_TYPE,
      // Within a grace window every instance must hand a duplicate the very same token.
      jti: sessionId && sessions && sessions.reuseGraceMs > 0 ? `${sessionId}:${iat}` : randomUUID(),
      ...(sessionId ? { sid: sessionId } : {}),
      iat,
    });
    if (token.length > this.options.maxTokenLength) {
      throw new AccessTokenClaimsError(
        `the access token would be ${token.length} characters, over maxTokenLength (${this.options.maxTokenLength}), so every request would refuse it`,
        'Carry fewer or shorter claims (ids and roles, not documents), or raise `maxTokenLength`.',
      );
    }
    return token;
  }

  /** A pair; with `session`, its refresh token, the session id and what is left of the session's lifetime. */
  pair(accessToken: string, session?: { refreshToken: string; sessionId: string; expiresAt: number }, now = Date.now()): TokenPair {
    return {
      accessToken,
      ...(session ? { refreshToken: session.refreshToken, refreshExpiresIn: Math.max(0, Math.floor((session.expiresAt - now) / 1000)) } : {}),
      tokenType: 'Bearer',
      expiresIn: this.options.accessTokenTtl,
      ...(session ? { sessionId: session.sessionId } : {}),
    };
  }

  private async appClaims(userId: string, extra: Record<string, unknown> | undefined): Promise<Record<string, unknown>> {
    const versionClaim = this.options.versionClaim;
    const fromOption = this.options.claims ? await this.options.claims(userId) : undefined;
    if (fromOption !== undefined) assertAppClaims(fromOption, versionClaim, 'the `claims` option');
    if (extra !== undefined) assertAppClaims(extra, versionClaim, 'the `claims` given to login()');
    return { ...fromOption, ...extra };
  }
}
