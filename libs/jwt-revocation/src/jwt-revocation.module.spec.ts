import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { JwtRevocationModule } from './jwt-revocation.module';
import { SESSION_STORE, TOKEN_VERSION_STORE } from './jwt-revocation.constants';
import { InMemoryTokenVersionStore } from './revocation/in-memory-token-version.store';
import { InMemorySessionStore } from './sessions/in-memory-session.store';
import type { TokenVersionStore } from './revocation/token-version-store.interface';
import type { SessionStore } from './sessions/session-store.interface';

const SECRET = 'module-spec-secret-of-at-least-32-bytes!';

/** An app's own provider that reads the stores the module uses, by their exported tokens. */
@Injectable()
class StoreReader {
  constructor(
    @Inject(TOKEN_VERSION_STORE) readonly versions: TokenVersionStore,
    @Inject(SESSION_STORE) readonly sessions: SessionStore | null,
  ) {}
}

@Module({ providers: [StoreReader] })
class FeatureModule {}

describe('JwtRevocationModule', () => {
  it('lets an app inject TOKEN_VERSION_STORE and SESSION_STORE in its own modules', async () => {
    const versions = new InMemoryTokenVersionStore();
    const sessions = new InMemorySessionStore();
    const module = await Test.createTestingModule({
      imports: [JwtRevocationModule.forRoot({ secret: SECRET, tokenVersionStore: versions, sessionStore: sessions, globalGuard: false }), FeatureModule],
    }).compile();
    const reader = module.get(StoreReader);
    expect(reader.versions).toBe(versions);
    expect(reader.sessions).toBe(sessions);
    await module.close();
  });
});
