import { randomUUID } from 'node:crypto';
import type { TokenVersionStore } from '../revocation/token-version-store.interface';

/** A version store under test. */
export interface TokenVersionStoreHarness {
  store: TokenVersionStore;
  /** Makes a new user the store knows; returns its id as tokens carry it. */
  createUser(): Promise<string>;
  /** Ids that name no user: unknown, or malformed for the id column (a random UUID is tried too). */
  missingUserIds?: string[];
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
