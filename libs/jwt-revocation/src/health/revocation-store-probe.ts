import type { TokenVersionStore } from '../revocation/token-version-store.interface';
import type { SessionStore } from '../sessions/session-store.interface';

/** Answers one bounded read of the revocation state; rejects when it cannot. */
export interface RevocationStoreProbe {
  /** The health indicator stops waiting after its timeout, whether or not this settles. */
  probeStore(): Promise<void>;
}

/** Injection token of the `RevocationStoreProbe`; the module provides `StoreReadProbe`. */
export const REVOCATION_STORE_PROBE = Symbol('REVOCATION_STORE_PROBE');

// A read changes nothing, whoever the ids name. Stores skip the database for an id their column
// cannot hold, so one integer-shaped and one uuid-shaped id: whatever the column, one reaches it.
const PROBE_IDS = ['0', '00000000-0000-0000-0000-000000000000'];

/** Reads what a check reads: a token version and, when sessions are on, a session. */
export class StoreReadProbe implements RevocationStoreProbe {
  constructor(
    private readonly versions: TokenVersionStore,
    private readonly sessions: SessionStore | null,
  ) {}

  async probeStore(): Promise<void> {
    const versionReads = PROBE_IDS.map((id) => this.versions.getVersion(id));
    await Promise.all([...versionReads, this.sessions?.find(PROBE_IDS[1])]);
  }
}
