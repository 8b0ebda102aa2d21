import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_TYPE, RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import { InvalidTokenException } from '../errors/bearer-auth.exceptions';
import { callStore } from '../errors/store-call';
import type { TokenPair } from './token-pair';

/** Signs access tokens that carry the user's current token version, and packs them into pairs. */
@Injectable()
export class AccessTokenIssuer {
  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions) {}

  /** The user's version now; `InvalidTokenException` for an unknown user, 503 when unreadable. */
  async currentVersion(userId: string): Promise<number> {
    const version = await callStore(() => this.options.tokenVersionStore.getVersion(userId), this.options.retryAfterSeconds);
    if (version === null) throw new InvalidTokenException();
    return version;
  }

  sign(userId: string, version: number, sessionId: string | undefined, issuedAtMs = Date.now()): string {
    const iat = Math.floor(issuedAtMs / 1000);
    const sessions = this.options.sessions;
    return this.options.keyRing.signToken({
      sub: userId,
      [this.options.versionClaim]: version,
      typ: ACCESS_TOKEN_TYPE,
      // Within a grace window every instance must hand a duplicate the very same token.
      jti: sessionId && sessions && sessions.reuseGraceMs > 0 ? `${sessionId}:${iat}` : randomUUID(),
      ...(sessionId ? { sid: sessionId } : {}),
      iat,
    });
  }

  pair(accessToken: string, refreshToken?: string, sessionId?: string): TokenPair {
    return {
      accessToken,
      ...(refreshToken ? { refreshToken } : {}),
      tokenType: 'Bearer',
      expiresIn: this.options.accessTokenTtl,
      ...(sessionId ? { sessionId } : {}),
    };
  }
}
