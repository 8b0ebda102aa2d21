import { randomUUID } from 'node:crypto';
import type { TokenVersionStore } from '../revocation/token-version-store.interface';
import type { SessionStore } from '../sessions/session-store.interface';

/** A version store under test. */
export interface TokenVersionStoreHarness {
  store: TokenVersionStore;
  /** Makes a new user the store knows; returns its id as tokens carry it. */
  createUser(): Promise<string>;
  /** Ids that name no user: unknown, or malformed for the id column (a random UUID is tried too). */
  missingUserIds?: string[];
  /**
   * A session store on the same database, when the store reads both in one statement
   * (`readerWithSessions`): the contract then checks that read against `getVersion` and `find`.
   */
  sessions?: SessionStore;
  close?(): Promise<void>;
}

export interface TokenVersionContractOptions {
  /** The store has no list of users (users kept elsewhere, e.g. Redis alone): every id has a version. */
  everyIdExists?: boolean;
}

/** Every behaviour the module relies on from a `TokenVersionStore`, as a jest `describe` block. */
export function runTokenVersionStoreContract(
  name: string,
  factory: () => Promise<TokenVersionStoreHarness>,
  options: TokenVersionContractOptions = {},
): void {
  describe(`TokenVersionStore contract: ${name}`, () => {
    let harness: TokenVersionStoreHarness;

    beforeAll(async () => {
      harness = await factory();
    });
    afterAll(async () => {
      await harness?.close?.();
    });

    it("reads a user's version as an integer", async () => {
      const version = await harness.store.getVersion(await harness.createUser());
      expect(Number.isSafeInteger(version)).toBe(true);
    });

    it('raises the version by exactly one, for that user only', async () => {
      const [user, other] = [await harness.createUser(), await harness.createUser()];
      const [before, otherBefore] = [await harness.store.getVersion(user), await harness.store.getVersion(other)];
      expect(await harness.store.incrementVersion(user)).toBe(true);
      expect(await harness.store.getVersion(user)).toBe(before! + 1);
      expect(await harness.store.getVersion(other)).toBe(otherBefore);
    });

    it('loses none of 100 concurrent increments', async () => {
      const user = await harness.createUser();
      const before = (await harness.store.getVersion(user))!;
      const results = await Promise.all(Array.from({ length: 100 }, () => harness.store.incrementVersion(user)));
      expect(results.every((raised) => raised === true)).toBe(true);
      expect(await harness.store.getVersion(user)).toBe(before + 100);
    });

    it('reads the version and a session in one call exactly as getVersion and find do, when it offers that', async () => {
      const sessions = harness.sessions;
      const reader = sessions ? harness.store.readerWithSessions?.(sessions) : undefined;
      if (!sessions) return; // nothing to pair with: the checker makes two reads
      expect(reader).toBeDefined();
      const [user, other] = [await harness.createUser(), await harness.createUser()];
      await harness.store.incrementVersion(user);
      const now = Date.now();
      const record = (userId: string, revokedAt: number | null) => ({
        id: randomUUID(), userId, family: randomUUID(), refreshHash: 'a'.repeat(64), previousRefreshHash: null, generation: 0,
        tokenVersion: 1, createdAt: now, lastUsedAt: now, rotatedAt: now, expiresAt: now + 3_600_000, idleExpiresAt: now + 1_800_000,
        userAgent: null, ip: null, revokedAt, revokeReason: revokedAt === null ? null : ('logout' as const),
      });
      const live = record(user, null);
      const revoked = record(user, now);
      const others = record(other, null);
      for (const session of [live, revoked, others]) await sessions.create(session);
      const missingUser = harness.missingUserIds?.[0] ?? randomUUID();
      for (const [userId, sessionId] of [[user, live.id], [user, revoked.id], [user, others.id], [user, randomUUID()], [missingUser, live.id]]) {
        const both = await reader!(userId, sessionId);
        const version = await harness.store.getVersion(userId);
        expect(both.version).toBe(version);
        if (version === null) continue; // no user: the session is not read
        const found = await sessions.find(sessionId);
        expect(both.session).toEqual(
          found && { userId: found.userId, revokedAt: found.revokedAt, expiresAt: found.expiresAt, idleExpiresAt: found.idleExpiresAt },
        );
      }
    });

    if (options.everyIdExists) {
      it('gives a never-seen id a version that an increment raises', async () => {
        const userId = `unseen-${randomUUID()}`;
        const before = (await harness.store.getVersion(userId))!;
        expect(Number.isSafeInteger(before)).toBe(true);
        expect(await harness.store.incrementVersion(userId)).toBe(true);
        expect(await harness.store.getVersion(userId)).toBe(before + 1);
      });
    } else {
      it('answers "no such user" for unknown and malformed ids, without throwing', async () => {
        for (const userId of [...(harness.missingUserIds ?? []), randomUUID()]) {
          await expect(harness.store.getVersion(userId)).resolves.toBeNull();
          await expect(harness.store.incrementVersion(userId)).resolves.toBe(false);
        }
      });
    }
  });
}
