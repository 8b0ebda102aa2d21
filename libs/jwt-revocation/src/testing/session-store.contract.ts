import { randomUUID } from 'node:crypto';
import type { SessionRecord } from '../sessions/session-record';
import type { SessionStore } from '../sessions/session-store.interface';

/** A store under test, on its own empty storage; `close` releases what the factory opened. */
export interface SessionStoreHarness {
  store: SessionStore;
  close?(): Promise<void>;
}

const HOUR = 3_600_000;

/**
 * Every behaviour the module relies on from a `SessionStore`, as a jest `describe` block. Call it
 * from your own spec with a factory giving a store on empty storage (purge is checked exactly).
 */
export function runSessionStoreContract(name: string, factory: () => Promise<SessionStoreHarness>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let harness: SessionStoreHarness;
    let store: SessionStore;
    const now = Date.now();

    beforeAll(async () => {
      harness = await factory();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.close?.();
    });

    function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
      return {
        id: randomUUID(),
        userId: randomUUID(),
        family: randomUUID(),
        refreshHash: hash(),
        previousRefreshHash: null,
        generation: 0,
        tokenVersion: 0,
        createdAt: now,
        lastUsedAt: now,
        rotatedAt: now,
        expiresAt: now + 30 * 24 * HOUR,
        idleExpiresAt: now + 7 * 24 * HOUR,
        userAgent: null,
        ip: null,
        revokedAt: null,
        revokeReason: null,
        ...overrides,
      };
    }

    async function created(overrides: Partial<SessionRecord> = {}): Promise<SessionRecord> {
      const record = session(overrides);
      await store.create(record);
      return record;
    }

    function rotationOf(previous: SessionRecord, at = now + 1000) {
      return { refreshHash: hash(), previousRefreshHash: previous.refreshHash, generation: previous.generation + 1, rotatedAt: at, lastUsedAt: at, idleExpiresAt: at + 7 * 24 * HOUR };
    }

    it('finds a created session with every field as written', async () => {
      const full = await created({ userAgent: 'Mozilla/5.0 (contract)', ip: '2001:db8::1', previousRefreshHash: hash(), generation: 3, tokenVersion: 7, createdAt: now - 5000 });
      const empty = await created();
      const unbound = await created({ tokenVersion: -1, revokedAt: now, revokeReason: 'version-changed' });
      expect(await store.find(full.id)).toEqual(full);
      expect(await store.find(empty.id)).toEqual(empty);
      expect(await store.find(unbound.id)).toEqual(unbound);
    });

    it('finds nothing for an unknown id', async () => {
      expect(await store.find(randomUUID())).toBeNull();
    });

    it('rotates when the hash matches, and writes the token version only when given', async () => {
      const original = await created({ tokenVersion: 4 });
      const first = rotationOf(original);
      expect(await store.rotate(original.id, original.refreshHash, first)).toBe(true);
      expect(await store.find(original.id)).toEqual({ ...original, ...first });
      const second = { ...rotationOf({ ...original, ...first }, now + 2000), tokenVersion: 5 };
      expect(await store.rotate(original.id, first.refreshHash, second)).toBe(true);
      expect(await store.find(original.id)).toEqual({ ...original, ...second });
    });

    it('refuses a rotation with a stale hash, an unknown id or a revoked session', async () => {
      const live = await created();
      expect(await store.rotate(live.id, hash(), rotationOf(live))).toBe(false);
      expect(await store.find(live.id)).toEqual(live);
      expect(await store.rotate(randomUUID(), live.refreshHash, rotationOf(live))).toBe(false);
      const revoked = await created({ revokedAt: now, revokeReason: 'logout' });
      expect(await store.rotate(revoked.id, revoked.refreshHash, rotationOf(revoked))).toBe(false);
      expect(await store.find(revoked.id)).toEqual(revoked);
    });

    it('lets exactly one of 50 concurrent rotations of one token win', async () => {
      const original = await created();
      const rotations = Array.from({ length: 50 }, (_, i) => rotationOf(original, now + i));
      const results = await Promise.all(rotations.map((r) => store.rotate(original.id, original.refreshHash, r)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = rotations[results.indexOf(true)];
      expect((await store.find(original.id))?.refreshHash).toBe(winner.refreshHash);
    });

    it('revokes the named live sessions of the user only, and returns their ids', async () => {
      const userId = randomUUID();
      const [a, b, c] = [await created({ userId }), await created({ userId }), await created({ userId })];
      const stranger = await created();
      const revoked = await store.revoke(userId, [a.id, b.id, stranger.id, randomUUID()], 'logout', now + 10);
      expect(revoked.sort()).toEqual([a.id, b.id].sort());
      expect(await store.find(a.id)).toEqual({ ...a, revokedAt: now + 10, revokeReason: 'logout' });
      expect((await store.find(c.id))?.revokedAt).toBeNull();
      expect((await store.find(stranger.id))?.revokedAt).toBeNull();
      expect(await store.revoke(userId, [a.id], 'revoked', now + 20)).toEqual([]);
      expect((await store.find(a.id))?.revokeReason).toBe('logout');
      expect(await store.revoke(userId, [], 'logout', now)).toEqual([]);
    });

    it("revokes all of a user's live sessions and leaves other users' alone", async () => {
      const userId = randomUUID();
      const live = [await created({ userId }), await created({ userId })];
      const already = await created({ userId, revokedAt: now - 10, revokeReason: 'logout' });
      const other = await created();
      const revoked = await store.revoke(userId, 'all', 'logout-all', now + 30);
      expect(revoked.sort()).toEqual(live.map((s) => s.id).sort());
      expect((await store.find(already.id))?.revokedAt).toBe(now - 10);
      expect((await store.find(other.id))?.revokedAt).toBeNull();
      expect(await store.revoke(userId, 'all', 'logout-all', now + 40)).toEqual([]);
      expect(await store.revoke(randomUUID(), 'all', 'logout-all', now)).toEqual([]);
    });

    it('revokes every live session of a family', async () => {
      const family = randomUUID();
      const members = [await created({ family }), await created({ family, userId: randomUUID() })];
      const already = await created({ family, revokedAt: now - 5, revokeReason: 'logout' });
      const outsider = await created();
      const revoked = await store.revokeFamily(family, 'reuse-detected', now + 50);
      expect(revoked.sort()).toEqual(members.map((s) => s.id).sort());
      expect((await store.find(members[1].id))?.revokeReason).toBe('reuse-detected');
      expect((await store.find(already.id))?.revokeReason).toBe('logout');
      expect((await store.find(outsider.id))?.revokedAt).toBeNull();
      expect(await store.revokeFamily(family, 'reuse-detected', now + 60)).toEqual([]);
      expect(await store.revokeFamily(randomUUID(), 'reuse-detected', now)).toEqual([]);
    });

    it("lists a user's live sessions only, newest first", async () => {
      const userId = randomUUID();
      const older = await created({ userId, createdAt: now - 3000 });
      const newer = await created({ userId, createdAt: now - 1000 });
      await created({ userId, revokedAt: now - 100, revokeReason: 'logout' });
      await created({ userId, expiresAt: now - 1 });
      await created({ userId, idleExpiresAt: now - 1 });
      await created();
      expect(await store.listActive(userId, now)).toEqual([newer, older]);
      expect(await store.listActive(randomUUID(), now)).toEqual([]);
    });

    it('purges the sessions that ended before the cut-off, and only those', async () => {
      const longAgo = now - 2 * HOUR;
      const cutOff = now - HOUR;
      const ended = [
        await created({ expiresAt: longAgo, idleExpiresAt: longAgo }),
        await created({ idleExpiresAt: longAgo }),
        await created({ revokedAt: longAgo, revokeReason: 'logout' }),
      ];
      const recentlyRevoked = await created({ revokedAt: now - 60_000, revokeReason: 'logout' });
      const live = await created();
      expect(await store.purge(cutOff)).toBe(3);
      for (const s of ended) expect(await store.find(s.id)).toBeNull();
      expect(await store.find(recentlyRevoked.id)).toEqual(recentlyRevoked);
      expect(await store.find(live.id)).toEqual(live);
      expect(await store.purge(cutOff)).toBe(0);
    });
  });
}

function hash(): string {
  return randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
}
