import { Inject, Injectable } from '@nestjs/common';
import { ACCESS_TOKEN_TYPE, RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import type { AuthenticatedUser } from './authenticated-user';
import { RevocationChecker } from '../revocation/revocation-checker';
import { assertTokenShape } from './bearer-token.parser';
import { InvalidTokenException } from '../errors/bearer-auth.exceptions';
import type { KeyRing, VerificationKey } from '../keys/key-ring';
import { ACCESS_TOKEN_MEDIA_TYPE } from '../keys/access-token-signer';
import { appClaimsOf } from './app-claims';
import { VerifiedTokenMemo, type VerifiedToken } from './verified-token.memo';

/** Header parameters that would let a token choose its own key (CVE-2018-0114 and kin). */
const FORBIDDEN_HEADER_PARAMS = ['jwk', 'jku', 'x5u', 'x5c', 'crit'];
const MAX_SUBJECT_LENGTH = 255;
const MAX_ID_LENGTH = 64;
/** Distinct token headers remembered (one per key in practice); beyond that they are decoded each time. */
const MAX_REMEMBERED_HEADERS = 32;

export interface VerifyOptions {
  /** Skip the cache and read the source of truth. */
  strict?: boolean;
}

/**
 * The one verification routine. The guard and the Passport strategy both call it, so they can
 * never disagree. Every failure is an `InvalidTokenException` that names no check.
 */
@Injectable()
export class AccessTokenVerifier {
  // Same header bytes, same verdict: skips decoding the header JSON on every request.
  private readonly keysByHeader = new Map<string, VerificationKey>();
  /** The key ring `keysByHeader` was filled from: another one (keys reconfigured) empties it. */
  private headersRing: KeyRing | undefined;
  private readonly memo: VerifiedTokenMemo | undefined;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly revocation: RevocationChecker,
  ) {
    const { enabled, maxEntries, maxBytes } = options.verifiedTokens;
    this.memo = enabled ? new VerifiedTokenMemo({ maxEntries, maxBytes }) : undefined;
  }

  async verify(token: string, options: VerifyOptions = {}): Promise<AuthenticatedUser> {
    return this.verifyNow(token, options);
  }

  /**
   * `verify`, answered without an `await` when everything it needs is in memory (the token
   * memoized, the version and session cached): a user, or a promise of one.
   */
  verifyNow(token: string, { strict = false }: VerifyOptions = {}): AuthenticatedUser | Promise<AuthenticatedUser> {
    const user = this.verifyStateless(token);
    const checked = this.revocation.assertCurrentNow(user.id, user.tokenVersion, user.sessionId, strict, user.issuedAt);
    return checked === undefined ? user : checked.then(() => user);
  }

  /** Signature, algorithm, key and claims, without the revocation check. */
  verifyStateless(token: string): AuthenticatedUser {
    const ring = this.options.keyRing;
    const known = this.memo?.get(token, ring);
    if (known) return this.reuse(token, known);
    assertTokenShape(token, this.options.maxTokenLength);
    const key = this.keyFor(token);
    let payload: Record<string, unknown>;
    try {
      payload = key.verify(token);
    } catch {
      throw new InvalidTokenException();
    }
    const user = this.toUser(payload);
    // Only a token that passed every check is remembered; a copy, so no caller can alter the entry.
    this.memo?.remember(token, ring, { ...user, claims: { ...user.claims } }, typeof payload.nbf === 'number' ? payload.nbf : -Infinity, token.length);
    return user;
  }

  /** A memoized token: its time-dependent claims checked again, the rest holds for the same bytes under the same keys. */
  private reuse(token: string, known: VerifiedToken): AuthenticatedUser {
    const { user, notBefore } = known;
    const now = Date.now() / 1000;
    const tolerance = this.options.clockTolerance;
    if (user.expiresAt + tolerance <= now || user.issuedAt > now + tolerance || notBefore > now + tolerance) {
      this.memo!.forget(token);
      throw new InvalidTokenException();
    }
    // Each request gets its own object: an app may add to request.user.
    return { ...user, claims: { ...user.claims } };
  }

  private keyFor(token: string): VerificationKey {
    if (this.options.keyRing !== this.headersRing) {
      this.keysByHeader.clear();
      this.headersRing = this.options.keyRing;
    }
    const segment = token.slice(0, token.indexOf('.'));
    const known = this.keysByHeader.get(segment);
    if (known) return known;
    const header = decodeJsonObject(segment);
    if (!header || FORBIDDEN_HEADER_PARAMS.some((param) => param in header)) throw new InvalidTokenException();
    // RFC 9068: an access token says so in its header, so no other JWT signed with the key (an ID
    // token, an app's own JwtService token) can stand in for one.
    if (!isAccessTokenType(header.typ)) throw new InvalidTokenException();
    const key = this.options.keyRing.keyFor(header.kid);
    // The algorithm is the key's, never the header's choice; "none" in any spelling fails here.
    if (!key || header.alg !== key.algorithm) throw new InvalidTokenException();
    if (this.keysByHeader.size < MAX_REMEMBERED_HEADERS) this.keysByHeader.set(segment, key);
    return key;
  }

  private toUser(payload: Record<string, unknown>): AuthenticatedUser {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new InvalidTokenException();
    const { sub, exp, iat, jti, sid, typ } = payload;
    const version = payload[this.options.versionClaim];
    const now = Date.now() / 1000;
    const tolerance = this.options.clockTolerance;
    if (typ !== ACCESS_TOKEN_TYPE) throw new InvalidTokenException();
    if (!Number.isSafeInteger(exp) || (exp as number) + tolerance <= now) throw new InvalidTokenException();
    if (!Number.isSafeInteger(iat) || (iat as number) > now + tolerance) throw new InvalidTokenException();
    // No token of ours lives longer than the configured lifetime, whatever its exp says.
    if ((exp as number) - (iat as number) > this.options.accessTokenTtl + tolerance) throw new InvalidTokenException();
    if (!Number.isSafeInteger(version) || (version as number) < 0) throw new InvalidTokenException();
    const id = subjectOf(sub);
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_ID_LENGTH) throw new InvalidTokenException();
    if (sid !== undefined && (typeof sid !== 'string' || sid.length === 0 || sid.length > MAX_ID_LENGTH)) {
      throw new InvalidTokenException();
    }
    return {
      id,
      sessionId: sid as string | undefined,
      tokenVersion: version as number,
      tokenId: jti,
      issuedAt: iat as number,
      expiresAt: exp as number,
      claims: appClaimsOf(payload, this.options.versionClaim),
    };
  }
}

/** `at+jwt`, compared as RFC 8725 §3.11 says: case-insensitive, with or without `application/`. */
function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const type = typ.toLowerCase();
  return type === ACCESS_TOKEN_MEDIA_TYPE || type === `application/${ACCESS_TOKEN_MEDIA_TYPE}`;
}

function subjectOf(sub: unknown): string {
  if (typeof sub === 'string' && sub.length > 0 && sub.length <= MAX_SUBJECT_LENGTH) return sub;
  if (typeof sub === 'number' && Number.isSafeInteger(sub)) return String(sub);
  throw new InvalidTokenException();
}

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
