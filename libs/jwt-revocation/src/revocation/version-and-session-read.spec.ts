import { Test, type TestingModule } from '@nestjs/testing';
import { JwtRevocationTestingModule } from '../testing/jwt-revocation-testing.module';
import { AccessTokenVerifier } from '../access-tokens/access-token.verifier';
import { AuthTokenService } from '../auth-token.service';
import { InMemoryTokenVersionStore } from './in-memory-token-version.store';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';
import type { SessionStore } from '../sessions/session-store.interface';
import type { VersionAndSessionReader } from './token-version-store.interface';
import { InvalidTokenException } from '../errors/bearer-auth.exceptions';

/** Versions and sessions as one database would serve them: one combined read, every call counted. */
class CountingStores {
  readonly sessions = new CountingSessionStore();
  readonly versions = new CountingVersionStore(this.sessions);
}

class CountingSessionStore extends InMemorySessionStore {
  finds = 0;
  override async find(sessionId: string) {
    this.finds++;
    return super.find(sessionId);
  }
}

class CountingVersionStore extends InMemoryTokenVersionStore {
  reads = 0;
  combinedReads = 0;
  constructor(private readonly paired: CountingSessionStore) {
    super();
  }
  override async getVersion(userId: string) {
    this.reads++;
    return super.getVersion(userId);
  }
  readerWithSessions(sessions: SessionStore): VersionAndSessionReader | undefined {
    if (sessions !== this.paired) return undefined;
    return async (userId, sessionId) => {
      this.combinedReads++;
      const version = await super.getVersion(userId);
      const session = await InMemorySessionStore.prototype.find.call(this.paired, sessionId);
      return { version, session };
    };
  }
}

describe('RevocationChecker with a store that reads the version and the session together', () => {
  let module: TestingModule;
  let stores: CountingStores;
  let verifier: AccessTokenVerifier;
  let tokens: AuthTokenService;

  async function start(cacheEnabled: boolean): Promise<void> {
    stores = new CountingStores();
    stores.versions.addUser('u1');
    stores.versions.addUser('u2');
    module = await Test.createTestingModule({
      imports: [
        JwtRevocationTestingModule.forRoot({
          globalGuard: false,
          options: {
            tokenVersionStore: stores.versions,
            sessionStore: stores.sessions,
            cache: { enabled: cacheEnabled },
            sessions: { purgeIntervalMs: 0 },
          },
        }),
      ],
    }).compile();
    await module.init();
    verifier = module.get(AccessTokenVerifier);
    tokens = module.get(AuthTokenService);
  }

  afterEach(async () => {
    await module.close();
  });

  const reads = () => ({ combined: stores.versions.combinedReads, versions: stores.versions.reads, sessions: stores.sessions.finds });

  it('cache off: one store read per request, and a logout or a logout-all still refuses at once', async () => {
    await start(false);
    const { accessToken } = await tokens.login('u1');
    const before = reads();
    for (let i = 0; i < 5; i++) await verifier.verify(accessToken);
    expect(reads()).toEqual({ ...before, combined: before.combined + 5 });
    await tokens.logout(await verifier.verify(accessToken));
    await expect(verifier.verify(accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
    const other = await tokens.login('u1');
    await tokens.logoutAll('u1');
    await expect(verifier.verify(other.accessToken)).rejects.toBeInstanceOf(InvalidTokenException);
  });

  it("refuses a token naming another user's live session", async () => {
    await start(false);
    const mine = await tokens.login('u1');
    const theirs = await tokens.login('u2');
    const checker = (verifier as unknown as { revocation: { assertCurrent: (u: string, v: number, s: string) => Promise<void> } }).revocation;
    const sessionOf = (await verifier.verify(theirs.accessToken)).sessionId!;
    await expect(checker.assertCurrent('u1', 0, sessionOf)).rejects.toBeInstanceOf(InvalidTokenException);
    await expect(verifier.verify(mine.accessToken)).resolves.toMatchObject({ id: 'u1' });
  });

  it('cache on: one combined read on a miss, none on the hits that follow', async () => {
    await start(true);
    const { accessToken } = await tokens.login('u1');
    const before = reads();
    for (let i = 0; i < 5; i++) await verifier.verify(accessToken);
    expect(reads()).toEqual({ ...before, combined: before.combined + 1 });
  });

  it('cache on: when only one of the two entries is gone, both come back in one combined read', async () => {
    await start(true);
    const { accessToken } = await tokens.login('u1');
    const { sessionId } = await verifier.verify(accessToken);
    const cache = (verifier as unknown as { revocation: { cache: { forgetSessions(ids: string[]): void; forgetUser(id: string): void } } }).revocation.cache;
    const before = reads();
    cache.forgetSessions([sessionId!]); // as if the session entry had expired first: the version is still cached
    await verifier.verify(accessToken);
    cache.forgetUser('u1'); // and the other way round
    await verifier.verify(accessToken);
    for (let i = 0; i < 3; i++) await verifier.verify(accessToken);
    expect(reads()).toEqual({ ...before, combined: before.combined + 2 });
  });
});
