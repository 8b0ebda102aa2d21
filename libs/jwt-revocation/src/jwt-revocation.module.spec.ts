import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger, Module } from '@nestjs/common';
import { JwtService, type JwtModuleOptions } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import { AuthTokenService } from './auth-token.service';
import { AccessTokenVerifier } from './access-tokens/access-token.verifier';
import { InvalidTokenException } from './errors/bearer-auth.exceptions';
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

describe('JwtRevocationModule and @nestjs/jwt', () => {
  /** An app's own service signing its own tokens with the JwtService the module exports. */
  @Injectable()
  class InviteTokens {
    constructor(readonly jwt: JwtService) {}
  }
  @Module({ providers: [InviteTokens] })
  class InviteModule {}

  async function appWith(jwt: JwtModuleOptions) {
    const versions = new InMemoryTokenVersionStore();
    versions.addUser('u1');
    const module = await Test.createTestingModule({
      imports: [
        JwtRevocationModule.forRootAsync({
          globalGuard: false,
          // forRootAsync: the app's JwtModule options come out of its own factory, as they are.
          useFactory: () => ({ jwt, tokenVersionStore: versions, sessions: false as const }),
        }),
        InviteModule,
      ],
    }).compile();
    return { module, tokens: module.get(AuthTokenService), verifier: module.get(AccessTokenVerifier), invites: module.get(InviteTokens).jwt };
  }

  it('exports the JwtService it signs with: the app signs and verifies its own tokens with the same keys', async () => {
    const { module, tokens, verifier, invites } = await appWith({ secret: SECRET, signOptions: { expiresIn: '15m', issuer: 'https://auth.example' } });
    expect(module.get(JwtService)).toBe(invites);
    const { accessToken } = await tokens.login('u1');
    // The access token is a JwtService token: the injected service verifies it (same key, iss).
    expect(invites.verify(accessToken)).toMatchObject({ sub: 'u1', iss: 'https://auth.example' });
    const invite = invites.sign({ sub: 'u1', purpose: 'invite' });
    expect(invites.verify(invite)).toMatchObject({ purpose: 'invite', iss: 'https://auth.example' });
    // ... and it is not an access token: no version claim, no `typ: at+jwt`.
    await expect(verifier.verify(invite)).rejects.toBeInstanceOf(InvalidTokenException);
    await expect(verifier.verify(accessToken)).resolves.toMatchObject({ id: 'u1' });
    await module.close();
  });

  it('accepts RS256 keys given as PEM in `jwt` and signs through JwtService with KeyObjects built once', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { module, tokens, verifier, invites } = await appWith({
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      signOptions: { algorithm: 'RS256' },
    });
    // jsonwebtoken parses a PEM on every sign(); a KeyObject it uses as it is.
    const held = (invites as unknown as { options: JwtModuleOptions }).options;
    expect(held.privateKey).toBeInstanceOf(KeyObject);
    expect(held.publicKey).toBeInstanceOf(KeyObject);
    const { accessToken } = await tokens.login('u1');
    expect(JSON.parse(Buffer.from(accessToken.split('.')[0], 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'at+jwt' });
    await expect(verifier.verify(accessToken)).resolves.toMatchObject({ id: 'u1' });
    expect(invites.verify(accessToken)).toMatchObject({ sub: 'u1' });
    await module.close();
  });
});

describe('JwtRevocationModule startup warnings', () => {
  afterEach(() => jest.restoreAllMocks());

  async function warningsFor(extra: { issuer?: string; audience?: string }): Promise<string[]> {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const versions = new InMemoryTokenVersionStore();
    const module = await Test.createTestingModule({
      imports: [JwtRevocationModule.forRoot({ secret: SECRET, tokenVersionStore: versions, sessions: false, globalGuard: false, ...extra })],
    }).compile();
    await module.init();
    await module.close();
    return warn.mock.calls.map(([message]) => String(message));
  }

  it('warns when neither issuer nor audience is configured', async () => {
    const warnings = await warningsFor({});
    expect(warnings).toEqual([expect.stringMatching(/^No issuer and audience configured: tokens signed with the same key by any other service/)]);
  });

  it('names the one that is missing', async () => {
    expect(await warningsFor({ issuer: 'https://auth.example' })).toEqual([expect.stringMatching(/^No audience configured/)]);
  });

  it('says nothing when both are set', async () => {
    expect(await warningsFor({ issuer: 'https://auth.example', audience: 'api' })).toEqual([]);
  });
});

describe('JwtRevocationModule.forRootAsync options', () => {
  it('refuses globalGuard returned by useFactory (where it would be ignored) with a message saying where it goes', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        JwtRevocationModule.forRootAsync({
          useFactory: () => ({ secret: SECRET, tokenVersionStore: new InMemoryTokenVersionStore(), sessions: false as const, globalGuard: false }),
        }),
      ],
    }).compile();
    await expect(compiling).rejects.toThrow(/unknown option "globalGuard"\. globalGuard shapes the module: give it beside useFactory in forRootAsync/);
  });
});
