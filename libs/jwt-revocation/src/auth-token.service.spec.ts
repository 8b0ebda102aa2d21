import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { JwtRevocationTestingModule } from './testing/jwt-revocation-testing.module';
import type { JwtKeyOptions, JwtRevocationModuleOptions } from './options/jwt-revocation-options.interface';
import { AuthTokenService } from './auth-token.service';
import { InvalidRefreshTokenException } from './errors/invalid-refresh-token.exception';
import { AccessTokenVerifier } from './access-tokens/access-token.verifier';
import { InMemoryTokenVersionStore } from './revocation/in-memory-token-version.store';
import { InMemorySessionStore } from './sessions/in-memory-session.store';
import { InvalidTokenException, RevocationUnavailableException } from './errors/bearer-auth.exceptions';
import { JwtRevocationConfigError } from './errors/jwt-revocation-config.error';
import { UnknownUserError } from './errors/unknown-user.error';
import type { RevocationEvent } from './events/revocation-event';
import type { TokenPair } from './access-tokens/token-pair';
import type { InvalidationMessage, RevocationBroadcaster } from './broadcast/revocation-broadcaster.interface';

const SECRET = 'service-spec-secret-of-at-least-32-bytes';
const DAY_MS = 24 * 3600 * 1000;

interface Fixture {
  module: TestingModule;
  service: AuthTokenService;
  verifier: AccessTokenVerifier;
  versions: InMemoryTokenVersionStore;
  sessions: InMemorySessionStore;
  events: RevocationEvent[];
}

async function start(options: Partial<JwtRevocationModuleOptions> = {}): Promise<Fixture> {
  const events: RevocationEvent[] = [];
  const module = await Test.createTestingModule({
    imports: [
      JwtRevocationTestingModule.forRoot({
        users: ['alice', 'bob'],
        globalGuard: false,
        options: {
          secret: SECRET,
          sessions: { purgeIntervalMs: 0 },
          onRevocation: (event) => {
            events.push(event);
          },
          ...options,
        },
      }),
    ],
  }).compile();
  module.useLogger(false);
  await module.init();
  return {
    module,
    service: module.get(AuthTokenService),
    verifier: module.get(AccessTokenVerifier),
    versions: module.get(InMemoryTokenVersionStore),
    sessions: module.get(InMemorySessionStore),
    events,
  };
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

describe('AuthTokenService', () => {
  let f: Fixture;

  beforeEach(async () => {
    f = await start();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await f.module.close();
  });

  const accepted = (token: string) => expect(f.verifier.verify(token)).resolves.toMatchObject({});
  const refused = (token: string) => expect(f.verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenException);
  const refreshRefused = (refreshToken: string | undefined) =>
    expect(f.service.refresh(refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenException);

  describe('login', () => {
    it('issues a pair for a new session that carries the current version', async () => {
      f.versions.addUser('alice', 3);
      const pair = await f.service.login('alice', { userAgent: 'jest', ip: '203.0.113.9' });
      expect(pair).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^rt\./),
        refreshExpiresIn: 30 * 24 * 3600,
        tokenType: 'Bearer',
        expiresIn: 900,
        sessionId: expect.any(String),
      });
      expect(claimsOf(pair.accessToken)).toMatchObject({ sub: 'alice', ver: 3, sid: pair.sessionId, typ: 'access' });
      await expect(f.verifier.verify(pair.accessToken)).resolves.toMatchObject({ id: 'alice', sessionId: pair.sessionId, tokenVersion: 3 });
      expect(await f.service.listSessions('alice')).toEqual([expect.objectContaining({ id: pair.sessionId, userAgent: 'jest', ip: '203.0.113.9' })]);
    });

    it('gives every login its own session', async () => {
      const a = await f.service.login('alice');
      const b = await f.service.login('alice');
      expect(a.sessionId).not.toBe(b.sessionId);
      expect(a.refreshToken).not.toBe(b.refreshToken);
      expect((await f.service.listSessions('alice')).map((s) => s.id).sort()).toEqual([a.sessionId, b.sessionId].sort());
    });

    it('refuses a user the version store does not know with UnknownUserError, not an invalid-token error', async () => {
      const error = await f.service.login('mallory').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownUserError);
      expect((error as Error).message).toMatch(/login\(\) was given user "mallory", which the token version store does not know/);
      expect(f.sessions.size).toBe(0);
    });

    it('answers 503 when the version store is down', async () => {
      jest.spyOn(f.versions, 'getVersion').mockRejectedValue(new Error('down'));
      await expect(f.service.login('alice')).rejects.toBeInstanceOf(RevocationUnavailableException);
    });
  });

  describe('refresh', () => {
    it('rotates the refresh token and keeps the session', async () => {
      const first = await f.service.login('alice');
      const second = await f.service.refresh(first.refreshToken);
      expect(second.sessionId).toBe(first.sessionId);
      expect(second.refreshToken).toEqual(expect.any(String));
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.accessToken).not.toBe(first.accessToken);
      await expect(f.verifier.verify(second.accessToken)).resolves.toMatchObject({ id: 'alice', sessionId: first.sessionId });

      const third = await f.service.refresh(second.refreshToken);
      expect(third.sessionId).toBe(first.sessionId);
      expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
      expect(f.events).toEqual([]);
    });

    it('issues the access token with the version current at refresh time', async () => {
      f.versions.addUser('alice', 4);
      const pair = await f.service.login('alice');
      const next = await f.service.refresh(pair.refreshToken);
      expect(claimsOf(next.accessToken).ver).toBe(4);
    });

    it('refuses, and ends, a session whose user version was raised behind its back (an admin tool, plain SQL)', async () => {
      const pair = await f.service.login('alice');
      const other = await f.service.login('alice');
      await f.versions.incrementVersion('alice'); // no logoutAll: the sessions were not told
      await refreshRefused(pair.refreshToken);
      expect(f.sessions.size).toBe(2);
      expect((await f.sessions.find(pair.sessionId!))?.revokeReason).toBe('version-changed');
      await refreshRefused(pair.refreshToken);
      await refreshRefused(other.refreshToken);
      await expect(f.service.listSessions('alice')).resolves.toEqual([]);
      expect(f.events.map((event) => event.type)).toEqual(['session-revoked', 'session-revoked']);
    });

    it('keeps a session re-bound by passwordChanged refreshable at the new version', async () => {
      const pair = await f.service.login('alice');
      const kept = await f.service.passwordChanged('alice', pair.sessionId);
      expect((await f.sessions.find(pair.sessionId!))?.tokenVersion).toBe(1);
      const next = await f.service.refresh(kept!.refreshToken);
      expect(claimsOf(next.accessToken).ver).toBe(1);
    });

    it('binds a session stored before versions were recorded to the current version on its next refresh', async () => {
      const pair = await f.service.login('alice');
      const stored = (await f.sessions.find(pair.sessionId!))!;
      await f.sessions.create({ ...stored, tokenVersion: -1 });
      await f.versions.incrementVersion('alice');
      const next = await f.service.refresh(pair.refreshToken);
      expect(claimsOf(next.accessToken).ver).toBe(1);
      expect((await f.sessions.find(pair.sessionId!))?.tokenVersion).toBe(1);
    });

    it('revokes the whole family on reuse of a rotated token and fires refresh-reuse-detected without any token', async () => {
      const first = await f.service.login('alice');
      const second = await f.service.refresh(first.refreshToken);
      const otherDevice = await f.service.login('alice');
      const logged = [jest.spyOn(Logger.prototype, 'warn'), jest.spyOn(Logger.prototype, 'error'), jest.spyOn(Logger.prototype, 'log')];

      await refreshRefused(first.refreshToken);

      expect(f.events).toEqual([{ type: 'refresh-reuse-detected', userId: 'alice', sessionIds: [first.sessionId], at: expect.any(Number) }]);
      const serialized = JSON.stringify(f.events);
      for (const token of [first.refreshToken!, second.refreshToken!, first.accessToken, second.accessToken]) {
        expect(serialized).not.toContain(token);
      }
      expect(logged[0]).toHaveBeenCalled(); // the reuse is worth a warning...
      const logText = JSON.stringify(logged.flatMap((spy) => spy.mock.calls));
      for (const token of [first.refreshToken!, second.refreshToken!]) {
        expect(logText).not.toContain(token); // ...that never carries a token
      }
      // The thief's and the owner's tokens of that family are dead.
      await refreshRefused(second.refreshToken);
      await refused(second.accessToken);
      // Another device of the same user is another family.
      await expect(f.service.refresh(otherDevice.refreshToken)).resolves.toMatchObject({ sessionId: otherDevice.sessionId });
      expect(f.service.metrics().revocations).toBe(1);
    });

    it('counts a concurrent duplicate of the same token as reuse when reuseGraceMs is 0', async () => {
      const first = await f.service.login('alice');
      const results = await Promise.allSettled([f.service.refresh(first.refreshToken), f.service.refresh(first.refreshToken)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(f.events.map((e) => e.type)).toEqual(['refresh-reuse-detected']);
    });

    it('gives a duplicate within reuseGraceMs the same successor instead of revoking', async () => {
      await f.module.close();
      f = await start({ sessions: { reuseGraceMs: 10_000, purgeIntervalMs: 0 } });
      const first = await f.service.login('alice');
      const second = await f.service.refresh(first.refreshToken);
      const duplicate = await f.service.refresh(first.refreshToken);
      expect(duplicate.refreshToken).toBe(second.refreshToken);
      expect(duplicate.sessionId).toBe(second.sessionId);
      await expect(f.verifier.verify(duplicate.accessToken)).resolves.toMatchObject({ id: 'alice' });
      expect(f.events).toEqual([]);
      await expect(f.service.refresh(second.refreshToken)).resolves.toMatchObject({ sessionId: first.sessionId });
    });

    it('refuses a made-up or tampered refresh token without revoking anything', async () => {
      const pair = await f.service.login('alice');
      const parts = pair.refreshToken!.split('.');
      const tamperedTag = [...parts.slice(0, 4), 'A'.repeat(parts[4].length)].join('.');
      const olderGenerationForged = [parts[0], parts[1], '0', parts[3], 'A'.repeat(parts[4].length)].join('.');
      for (const bad of [tamperedTag, olderGenerationForged, 'rt.nope', '', pair.accessToken, undefined, 42, 'x'.repeat(1000)]) {
        await refreshRefused(bad as string | undefined);
      }
      expect(f.events).toEqual([]);
      await expect(f.service.refresh(pair.refreshToken)).resolves.toMatchObject({ sessionId: pair.sessionId });
    });

    it('refuses the refresh token of a session that was logged out', async () => {
      const pair = await f.service.login('alice');
      await f.service.logout({ id: 'alice', sessionId: pair.sessionId });
      await refreshRefused(pair.refreshToken);
    });

    it('refuses the refresh token of a session unused for sessions.idleTtl', async () => {
      const pair = await f.service.login('alice');
      const realNow = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(realNow + 7 * DAY_MS + 1000);
      await refreshRefused(pair.refreshToken);
    });

    it('refuses the refresh token of a session past sessions.absoluteTtl, however recently used', async () => {
      await f.module.close();
      f = await start({ sessions: { absoluteTtl: 3600, idleTtl: 3600, purgeIntervalMs: 0 } });
      const pair = await f.service.login('alice');
      const realNow = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(realNow + 30 * 60 * 1000);
      const next = await f.service.refresh(pair.refreshToken);
      jest.spyOn(Date, 'now').mockReturnValue(realNow + 3601 * 1000);
      await refreshRefused(next.refreshToken);
    });
  });

  describe('after the signing key rotates', () => {
    const keys: JwtKeyOptions[] = [
      { kid: 'k1', algorithm: 'HS256', secret: 'first-signing-key-of-at-least-32-bytes' },
      { kid: 'k2', algorithm: 'HS256', secret: 'second-signing-key-of-at-least-32-bytes' },
    ];
    /** One deployment of the app: the stores outlive it, as a database does. */
    const deploy = async (signingKeyId: string, versions: InMemoryTokenVersionStore, sessions: InMemorySessionStore) => {
      const module = await Test.createTestingModule({
        imports: [
          JwtRevocationTestingModule.forRoot({
            globalGuard: false,
            options: {
              secret: undefined,
              keys,
              signingKeyId,
              refreshTokenSecret: 'refresh-token-secret-that-outlives-keys',
              tokenVersionStore: versions,
              sessionStore: sessions,
              sessions: { purgeIntervalMs: 0 },
            },
          }),
        ],
      }).compile();
      module.useLogger(false);
      await module.init();
      return module;
    };

    it('still detects the replay of a token rotated before it, and revokes the family', async () => {
      const versions = new InMemoryTokenVersionStore();
      const sessions = new InMemorySessionStore();
      versions.addUser('alice');
      const before = await deploy('k1', versions, sessions);
      const first = await before.get(AuthTokenService).login('alice');
      const second = await before.get(AuthTokenService).refresh(first.refreshToken);
      await before.close();

      const after = await deploy('k2', versions, sessions);
      const service = after.get(AuthTokenService);
      await expect(service.refresh(first.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenException);
      await expect(service.listSessions('alice')).resolves.toEqual([]);
      await expect(service.refresh(second.refreshToken)).rejects.toBeInstanceOf(InvalidRefreshTokenException);
      await after.close();
    });

    it('keeps accepting the current refresh token issued before it', async () => {
      const versions = new InMemoryTokenVersionStore();
      const sessions = new InMemorySessionStore();
      versions.addUser('alice');
      const before = await deploy('k1', versions, sessions);
      const pair = await before.get(AuthTokenService).login('alice');
      await before.close();

      const after = await deploy('k2', versions, sessions);
      const next = await after.get(AuthTokenService).refresh(pair.refreshToken);
      expect(JSON.parse(Buffer.from(next.accessToken.split('.')[0], 'base64url').toString()).kid).toBe('k2');
      await after.close();
    });
  });

  describe('logoutAll', () => {
    it('raises the version so every earlier token is refused, and reports the sessions it ended', async () => {
      const phone = await f.service.login('alice');
      const laptop = await f.service.login('alice');
      const bare = await f.service.issueAccessToken('alice');
      const bobs = await f.service.login('bob');
      await accepted(phone.accessToken);
      await accepted(bare);

      await f.service.logoutAll('alice');

      expect(await f.versions.getVersion('alice')).toBe(1);
      await refused(phone.accessToken);
      await refused(laptop.accessToken);
      await refused(bare);
      await refreshRefused(phone.refreshToken);
      await refreshRefused(laptop.refreshToken);
      await accepted(bobs.accessToken);
      expect(f.events).toEqual([
        { type: 'logout-all', userId: 'alice', sessionIds: expect.arrayContaining([phone.sessionId, laptop.sessionId]), at: expect.any(Number) },
      ]);
      expect(f.events[0].sessionIds).toHaveLength(2);

      const again = await f.service.login('alice');
      expect(claimsOf(again.accessToken).ver).toBe(1);
      await accepted(again.accessToken);
    });

    it('throws UnknownUserError for an unknown user, and reports nothing', async () => {
      await expect(f.service.logoutAll('mallory')).rejects.toThrow(UnknownUserError);
      expect(f.events).toEqual([]);
      expect(f.service.metrics().revocations).toBe(0);
    });

    it.each([[undefined], [''], [null], [Number.NaN], [{}]])('never reports success for no user: logoutAll(%p) and the others throw', async (userId) => {
      const id = userId as never;
      await expect(f.service.logoutAll(id)).rejects.toThrow(/logoutAll\(\) was given no user id .*Is the route protected/);
      await expect(f.service.passwordChanged(id)).rejects.toThrow(UnknownUserError);
      await expect(f.service.login(id)).rejects.toThrow(UnknownUserError);
      await expect(f.service.revokeSession(id, 's')).rejects.toThrow(UnknownUserError);
      await expect(f.service.revokeOtherSessions(id, 's')).rejects.toThrow(UnknownUserError);
      await expect(f.service.listSessions(id)).rejects.toThrow(UnknownUserError);
      await expect(f.service.logout({ id, sessionId: 's' })).rejects.toThrow(UnknownUserError);
      await expect(f.service.logout(undefined as never)).rejects.toThrow(UnknownUserError);
      expect(f.events).toEqual([]);
    });

    it('passwordChanged() of an unknown user throws UnknownUserError', async () => {
      await expect(f.service.passwordChanged('mallory')).rejects.toThrow(/passwordChanged\(\) was given user "mallory"/);
    });

    it('answers 503 when the version cannot be raised, and fires no event', async () => {
      jest.spyOn(f.versions, 'incrementVersion').mockRejectedValue(new Error('down'));
      await expect(f.service.logoutAll('alice')).rejects.toBeInstanceOf(RevocationUnavailableException);
      expect(f.events).toEqual([]);
    });

    it('succeeds even when the onRevocation hook throws', async () => {
      await f.module.close();
      f = await start({
        onRevocation: () => {
          throw new Error('hook failed');
        },
      });
      const pair = await f.service.login('alice');
      await expect(f.service.logoutAll('alice')).resolves.toEqual({ stored: true, broadcast: 'sent' });
      await refused(pair.accessToken);
    });

    /** A broadcaster whose publishes fail (or hang) until `healthy` is set. */
    class UnreliableBroadcaster implements RevocationBroadcaster {
      healthy = false;
      readonly delivered: InvalidationMessage[] = [];
      constructor(private readonly failure: 'reject' | 'hang') {}
      async start(): Promise<void> {}
      isConnected(): boolean {
        return true;
      }
      async stop(): Promise<void> {}
      async publish(message: InvalidationMessage): Promise<void> {
        if (this.healthy) return void this.delivered.push(message);
        if (this.failure === 'reject') throw new Error('redis down');
        await new Promise(() => undefined);
      }
    }

    it.each(['reject', 'hang'] as const)(
      'resolves stored with the broadcast pending when the broadcaster does not confirm (%s), fires the event, and delivers it later',
      async (failure) => {
        await f.module.close();
        const broadcaster = new UnreliableBroadcaster(failure);
        const events: RevocationEvent[] = [];
        const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
        try {
          f = await start({ broadcaster, broadcastTimeoutMs: 100, onRevocation: (event) => void events.push(event) });
          const pair = await f.service.login('alice');
          const started = Date.now();
          await expect(f.service.logoutAll('alice')).resolves.toEqual({ stored: true, broadcast: 'pending' });
          expect(Date.now() - started).toBeLessThan(1000);
          await refused(pair.accessToken);
          expect(events.map((event) => event.type)).toEqual(['logout-all']);
          const logged = warn.mock.calls.map(([message]) => String(message));
          expect(logged.some((line) => line.includes('stored, not broadcast'))).toBe(true);
          expect(logged.some((line) => /store/i.test(line) && !line.includes('stored, not broadcast'))).toBe(false);
          broadcaster.healthy = true;
          await new Promise((resolve) => setTimeout(resolve, 1500)); // retried every second
          expect(broadcaster.delivered).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'user', userId: 'alice' })]));
        } finally {
          warn.mockRestore();
        }
      },
    );
  });

  describe('when a user is deleted', () => {
    it('userDeleted ends every session and token of the user, and a reused id inherits none', async () => {
      const first = await f.service.login('alice');
      const second = await f.service.login('alice');
      f.versions.removeUser('alice'); // the app deletes the row
      await expect(f.service.userDeleted('alice')).resolves.toEqual({ stored: true, broadcast: 'sent' });
      expect(await f.sessions.listActive('alice', Date.now())).toEqual([]);
      f.versions.addUser('alice'); // a new user gets the same id, at version 0 like the old one
      for (const pair of [first, second]) {
        await refreshRefused(pair.refreshToken);
        await refused(pair.accessToken);
      }
    });

    it('a refresh after the row is gone is refused and ends the session, so a later user with the same id cannot use it', async () => {
      const pair = await f.service.login('alice');
      f.versions.removeUser('alice');
      await refreshRefused(pair.refreshToken);
      expect((await f.sessions.find(pair.sessionId!))?.revokedAt).toEqual(expect.any(Number));
      f.versions.addUser('alice');
      await refreshRefused(pair.refreshToken);
      await refused(pair.accessToken);
    });
  });

  describe('passwordChanged', () => {
    it('keeps the given session with a fresh working pair and ends every other token', async () => {
      const current = await f.service.login('alice');
      const other = await f.service.login('alice');

      const fresh = (await f.service.passwordChanged('alice', current.sessionId)) as TokenPair;

      expect(fresh).toEqual(expect.objectContaining({ sessionId: current.sessionId, accessToken: expect.any(String), refreshToken: expect.any(String) }));
      expect(claimsOf(fresh.accessToken).ver).toBe(1);
      await expect(f.verifier.verify(fresh.accessToken)).resolves.toMatchObject({ id: 'alice', sessionId: current.sessionId, tokenVersion: 1 });
      await refused(current.accessToken);
      await refused(other.accessToken);
      await refreshRefused(other.refreshToken);
      expect((await f.service.listSessions('alice')).map((s) => s.id)).toEqual([current.sessionId]);
      expect(f.events).toEqual([{ type: 'password-changed', userId: 'alice', sessionIds: [other.sessionId], at: expect.any(Number) }]);

      const next = await f.service.refresh(fresh.refreshToken);
      await expect(f.verifier.verify(next.accessToken)).resolves.toMatchObject({ sessionId: current.sessionId });
    });

    it('ends every session and returns nothing without keepSessionId', async () => {
      const a = await f.service.login('alice');
      const b = await f.service.login('alice');
      await expect(f.service.passwordChanged('alice')).resolves.toBeUndefined();
      await refused(a.accessToken);
      await refused(b.accessToken);
      expect(await f.service.listSessions('alice')).toEqual([]);
    });

    it("never hands out a pair for another user's session", async () => {
      const bobs = await f.service.login('bob');
      await expect(f.service.passwordChanged('alice', bobs.sessionId)).resolves.toBeUndefined();
      await accepted(bobs.accessToken);
      await expect(f.service.refresh(bobs.refreshToken)).resolves.toMatchObject({ sessionId: bobs.sessionId });
    });
  });

  describe('sessions', () => {
    it('logout ends only the caller session', async () => {
      const a = await f.service.login('alice');
      const b = await f.service.login('alice');
      await accepted(a.accessToken); // cached as live
      await f.service.logout({ id: 'alice', sessionId: a.sessionId });
      await refused(a.accessToken);
      await accepted(b.accessToken);
      expect(f.events).toEqual([{ type: 'logout', userId: 'alice', sessionIds: [a.sessionId], at: expect.any(Number) }]);
    });

    it('logout without a session says to use logout-all', async () => {
      await expect(f.service.logout({ id: 'alice', sessionId: undefined })).rejects.toThrow(/logout-all/);
    });

    it("revokeSession of another user's session returns false and leaves it alive", async () => {
      const alices = await f.service.login('alice');
      await expect(f.service.revokeSession('bob', alices.sessionId!)).resolves.toBe(false);
      await accepted(alices.accessToken);
      await expect(f.service.refresh(alices.refreshToken)).resolves.toMatchObject({ sessionId: alices.sessionId });
      expect(f.events).toEqual([]);
    });

    it('revokeSession of an own session returns true once and ends it', async () => {
      const pair = await f.service.login('alice');
      await accepted(pair.accessToken);
      await expect(f.service.revokeSession('alice', pair.sessionId!)).resolves.toBe(true);
      await refused(pair.accessToken);
      await expect(f.service.revokeSession('alice', pair.sessionId!)).resolves.toBe(false);
      await expect(f.service.revokeSession('alice', 'no-such-session')).resolves.toBe(false);
      expect(f.events.map((e) => e.type)).toEqual(['session-revoked']);
    });

    it('revokeOtherSessions keeps the current one', async () => {
      const current = await f.service.login('alice');
      const others = [await f.service.login('alice'), await f.service.login('alice')];
      const bobs = await f.service.login('bob');
      await expect(f.service.revokeOtherSessions('alice', current.sessionId!)).resolves.toBe(2);
      await accepted(current.accessToken);
      for (const other of others) await refused(other.accessToken);
      await accepted(bobs.accessToken);
    });

    it('purges sessions only once no access token of theirs can still be valid', async () => {
      const pair = await f.service.login('alice');
      await f.service.logout({ id: 'alice', sessionId: pair.sessionId });
      await expect(f.service.purgeSessions()).resolves.toBe(0);
      const realNow = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(realNow + (900 + 5 + 1) * 1000);
      await expect(f.service.purgeSessions()).resolves.toBe(1);
      expect(f.sessions.size).toBe(0);
    });
  });

  describe('with sessions: false', () => {
    beforeEach(async () => {
      await f.module.close();
      f = await start({ sessions: false });
    });

    it('logs in with an access token only, which logoutAll still revokes', async () => {
      const pair = await f.service.login('alice');
      expect(pair).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
      expect(claimsOf(pair.accessToken).sid).toBeUndefined();
      await accepted(pair.accessToken);
      await f.service.logoutAll('alice');
      await refused(pair.accessToken);
    });

    it('refuses refresh and the session methods with a config error that says how to enable them', async () => {
      await expect(f.service.refresh('rt.x')).rejects.toThrow(JwtRevocationConfigError);
      await expect(f.service.revokeSession('alice', 's')).rejects.toThrow(/Enable `sessions`/);
      await expect(f.service.listSessions('alice')).rejects.toThrow(JwtRevocationConfigError);
    });
  });
});
