import type { AuthenticatedUser } from './authenticated-user';
import type { KeyRing } from '../keys/key-ring';

/**
 * What an entry costs beyond the token text and its decoded claims: the Map slot, the entry and the
 * user object. An over-estimate: bench/scale.js measures about 440 bytes in all for a 296-character token.
 */
const ENTRY_OVERHEAD_BYTES = 400;

/** A token that passed every stateless check, with what must be checked again on each use: the time-dependent claims. */
export interface VerifiedToken {
  /** The whole token: an entry answers only for exactly these characters. */
  readonly token: string;
  readonly user: AuthenticatedUser;
  /** `nbf` (epoch seconds) when the token has one, else -Infinity. */
  readonly notBefore: number;
  readonly bytes: number;
}

export interface VerifiedTokenMemoLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/**
 * Tokens already verified (signature, algorithm, key, claims), found by their exact text, so a
 * token seen again skips the HMAC or signature check and the JSON decoding. Only successes go in;
 * time-dependent claims (`exp`, `nbf`, `iat`) are checked again by the caller on every hit; the
 * revocation check is never memoized. Bounded by entries and by (estimated) bytes, oldest first
 * out; emptied when the key ring it was filled under is no longer the one in use. Looked up by the
 * signature segment (a short string to hash: a request's token is a fresh string every time) and
 * then compared whole, so a token differing anywhere from a remembered one is never a hit.
 */
export class VerifiedTokenMemo {
  private readonly entries = new Map<string, VerifiedToken>();
  private bytes = 0;
  private ring: KeyRing | undefined;

  constructor(private readonly limits: VerifiedTokenMemoLimits) {}

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held. */
  get byteSize(): number {
    return this.bytes;
  }

  /** The entry for exactly this token, if it was verified under `ring`. */
  get(token: string, ring: KeyRing): VerifiedToken | undefined {
    if (ring !== this.ring) {
      // A key removed or rotated out must not keep its tokens alive.
      this.clear();
      this.ring = ring;
      return undefined;
    }
    const entry = this.entries.get(signatureOf(token));
    return entry !== undefined && entry.token === token ? entry : undefined;
  }

  /** Remembers a token that passed every check under `ring`. */
  remember(token: string, ring: KeyRing, user: AuthenticatedUser, notBefore: number, claimBytes: number): void {
    if (ring !== this.ring) {
      this.clear();
      this.ring = ring;
    }
    // A token is ASCII: V8 keeps it one byte per character.
    const bytes = token.length + claimBytes + ENTRY_OVERHEAD_BYTES;
    const key = signatureOf(token);
    if (bytes > this.limits.maxBytes || this.entries.has(key)) return;
    // Oldest first out: an LRU would cost a reordering write on every hit.
    while (this.entries.size >= this.limits.maxEntries || this.bytes + bytes > this.limits.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.bytes -= this.entries.get(oldest.value)!.bytes;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { token, user, notBefore, bytes });
    this.bytes += bytes;
  }

  forget(token: string): void {
    const key = signatureOf(token);
    const entry = this.entries.get(key);
    if (!entry || entry.token !== token) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

/** The JWS signature segment (the whole string for anything without a dot). */
function signatureOf(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1);
}
