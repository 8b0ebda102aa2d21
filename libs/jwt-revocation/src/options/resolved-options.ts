import type { KeyRing } from '../keys/key-ring';
import type { TokenVersionStore } from '../revocation/token-version-store.interface';
import type { SessionStore } from '../sessions/session-store.interface';
import type { RevocationBroadcaster } from '../broadcast/revocation-broadcaster.interface';
import type { RevocationEvent } from '../events/revocation-event';
import type { ResolvedCookies } from '../cookies/resolved-cookies';
import type { CacheOptions, JwtRevocationModuleOptions, SessionOptions, VerifiedTokenMemoOptions } from './jwt-revocation-options.interface';

/** Sessions when they are on: their settings, their store and the key that authenticates refresh tokens. */
export interface ResolvedSessions extends Readonly<Required<SessionOptions>> {
  readonly store: SessionStore;
  /** Tags refresh tokens; derived from `refreshTokenSecret` (or `secret`), never from the signing key. */
  readonly refreshTokenKey: Buffer;
}

/** `JwtRevocationModuleOptions` after defaults and validation, computed once at startup. */
export interface ResolvedOptions {
  readonly keyRing: KeyRing;
  readonly accessTokenTtl: number;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly clockTolerance: number;
  readonly versionClaim: string;
  readonly claims: JwtRevocationModuleOptions['claims'];
  readonly maxTokenLength: number;
  readonly retryAfterSeconds: number;
  readonly broadcastTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatDeadlineMs: number;
  readonly watchPeers: boolean;
  readonly storeTimeoutMs: number;
  readonly cache: Readonly<Required<CacheOptions>>;
  readonly verifiedTokens: Readonly<Required<VerifiedTokenMemoOptions>>;
  /** The one switch: `false`, or everything sessions need. */
  readonly sessions: ResolvedSessions | false;
  readonly tokenVersionStore: TokenVersionStore;
  readonly broadcaster: RevocationBroadcaster;
  readonly onRevocation: ((event: RevocationEvent) => void | Promise<void>) | undefined;
  /** Cookie mode: `false`, or the cookies and CSRF settings. */
  readonly cookies: ResolvedCookies | false;
}
