import type { AuthenticatedUser } from './authenticated-user';
import type { KeyRing } from '../keys/key-ring';

/** What a memo entry costs beyond the token and its claims: the Map slot, the entry and the user object (measured in bench/scale.js). */
const ENTRY_OVERHEAD_BYTES = 400;

/** A token that passed every stateless check, with what must be checked again on each use: the time-dependent claims. */
export interface VerifiedToken {
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
 * Tokens already verified (signature, algorithm, key, claims), keyed by their exact text, so a
 * token seen again skips the HMAC or signature check and the JSON decoding. Only successes go in;
 * time-dependent claims (`exp`, `nbf`, `iat`) are checked again by the caller on every hit; the
 * revocation check is never memoized. Bounded by entries and by (estimated) bytes, oldest first
 * out; emptied when the key ring it was filled under is no longer the one in use.
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
    return this.entries.get(token);
  }

  /** Remembers a token that passed every check under `ring`. */
  remember(token: string, ring: KeyRing, user: AuthenticatedUser, notBefore: number, claimBytes: number): void {
    if (ring !== this.ring) {
      this.clear();
      this.ring = ring;
    }
    const bytes = 2 * token.length + claimBytes + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.limits.maxBytes || this.entries.has(token)) return;
    // Oldest first out: an LRU would cost a reordering write on every hit.
    while (this.entries.size >= this.limits.maxEntries || this.bytes + bytes > this.limits.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.forget(oldest.value);
    }
    this.entries.set(token, { user, notBefore, bytes });
    this.bytes += bytes;
  }

  forget(token: string): void {
    const entry = this.entries.get(token);
    if (!entry) return;
    this.entries.delete(token);
    this.bytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
