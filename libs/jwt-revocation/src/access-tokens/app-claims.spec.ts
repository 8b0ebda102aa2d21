import { Test, type TestingModule } from '@nestjs/testing';
import { JwtRevocationTestingModule } from '../testing/jwt-revocation-testing.module';
import type { JwtRevocationModuleOptions } from '../options/jwt-revocation-options.interface';
import { AuthTokenService } from '../auth-token.service';
import { AccessTokenVerifier } from './access-token.verifier';
import { InMemorySessionStore } from '../sessions/in-memory-session.store';
import { AccessTokenClaimsError } from '../errors/access-token-claims.error';
import type { AuthenticatedUser } from './authenticated-user';
import { appClaimsOf } from './app-claims';

const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

describe('app claims in access tokens', () => {
  let module: TestingModule;
  let tokens: AuthTokenService;
  let verifier: AccessTokenVerifier;
  let sessions: InMemorySessionStore;
  const roles = new Map<string, string[]>([['alice', ['admin']]]);

  async function start(options: Partial<JwtRevocationModuleOptions> = {}) {
    module = await Test.createTestingModule({
      imports: [JwtRevocationTestingModule.forRoot({ users: ['alice', 'bob'], globalGuard: false, options: { sessions: { purgeIntervalMs: 0 }, ...options } })],
    }).compile();
    await module.init();
    tokens = module.get(AuthTokenService);
    verifier = module.get(AccessTokenVerifier);
    sessions = module.get(InMemorySessionStore);
  }

  afterEach(() => module.close());

  it('puts the `claims` option\'s claims in every access token, asked again at each refresh', async () => {
    await start({ claims: async (userId) => ({ roles: roles.get(userId) ?? ['user'], tenant: 't-1' }) });
    const first = await tokens.login('alice');
    const user: AuthenticatedUser<{ roles: string[]; tenant: string }> = await verifier.verify(first.accessToken) as never;
    expect(user.claims).toEqual({ roles: ['admin'], tenant: 't-1' });

    // A role change reaches the next access token without a logout.
    roles.set('alice', ['user']);
    const refreshed = await tokens.refresh(first.refreshToken);
    await expect(verifier.verify(refreshed.accessToken)).resolves.toMatchObject({ claims: { roles: ['user'], tenant: 't-1' } });
  });

  it('adds login({ claims }) on top of the option\'s, for that login\'s token', async () => {
    await start({ claims: () => ({ roles: ['user'], plan: 'free' }) });
    const pair = await tokens.login('bob', { userAgent: 'jest', claims: { plan: 'pro', mfa: true } });
    expect(payloadOf(pair.accessToken)).toMatchObject({ roles: ['user'], plan: 'pro', mfa: true, sub: 'bob' });
    await expect(verifier.verify(pair.accessToken)).resolves.toMatchObject({ claims: { roles: ['user'], plan: 'pro', mfa: true } });
    expect((await tokens.listSessions('bob'))[0].userAgent).toBe('jest');
  });

  it('gives {} as claims when there are none', async () => {
    await start();
    const pair = await tokens.login('bob');
    await expect(verifier.verify(pair.accessToken)).resolves.toMatchObject({ claims: {} });
  });

  it.each(['sub', 'ver', 'typ', 'jti', 'sid', 'iat', 'exp', 'nbf', 'iss', 'aud', '__proto__'])(
    'refuses the reserved claim name %p with a clear error, and stores no session',
    async (name) => {
      await start();
      const claims = JSON.parse(`{"${name}": "x"}`) as Record<string, unknown>;
      const error = await tokens.login('bob', { claims }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccessTokenClaimsError);
      expect((error as Error).message).toContain(`"${name}"`);
      expect(sessions.size).toBe(0);
    },
  );

  it('refuses a reserved name from the option too, including a renamed version claim', async () => {
    await start({ versionClaim: 'tv', claims: () => ({ tv: 7 }) });
    await expect(tokens.login('bob')).rejects.toThrow(/the `claims` option sets the reserved claim "tv"/);
  });

  it.each<[string, unknown]>([
    ['a Date', new Date()],
    ['a function', () => 1],
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a bigint', BigInt(1)],
    ['a Map', new Map()],
    ['a class instance', new (class Role {})()],
    ['a nested Date', { since: [new Date()] }],
  ])('refuses %s as a claim value', async (_label, value) => {
    await start();
    await expect(tokens.login('bob', { claims: { value } })).rejects.toThrow(/value.* is .*not a plain JSON value/);
    expect(sessions.size).toBe(0);
  });

  it('refuses a circular claim and one nested too deep', async () => {
    await start();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(tokens.login('bob', { claims: { circular } })).rejects.toThrow(/circular reference/);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 20; i++) deep = [deep];
    await expect(tokens.login('bob', { claims: { deep } })).rejects.toThrow(/nests deeper than 16 levels/);
  });

  it('refuses an option that returns something else than an object', async () => {
    await start({ claims: () => ['admin'] as never });
    await expect(tokens.login('bob')).rejects.toThrow(/the `claims` option returned an array, not an object of claims/);
  });

  it('refuses at issue time a token over maxTokenLength: no session stored, no token the guard would refuse', async () => {
    await start({ maxTokenLength: 600 });
    await expect(tokens.login('bob', { claims: { permissions: Array.from({ length: 40 }, (_, i) => `perm:${i}`) } })).rejects.toThrow(
      /the access token would be \d+ characters, over maxTokenLength \(600\)/,
    );
    expect(sessions.size).toBe(0);
    await expect(tokens.login('bob', { claims: { roles: ['user'] } })).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('a refresh whose new token would be too long fails and leaves the refresh token usable', async () => {
    let permissions: string[] = [];
    await start({ maxTokenLength: 600, claims: () => ({ permissions }) });
    const pair = await tokens.login('bob');
    permissions = Array.from({ length: 40 }, (_, i) => `perm:${i}`);
    await expect(tokens.refresh(pair.refreshToken)).rejects.toBeInstanceOf(AccessTokenClaimsError);
    permissions = ['read'];
    await expect(tokens.refresh(pair.refreshToken)).resolves.toMatchObject({ sessionId: pair.sessionId });
  });

  it('keeps a "__proto__" member of a payload a plain property (defense in depth: the verifier refuses such payloads)', () => {
    const claims = appClaimsOf(JSON.parse('{"__proto__":{"isAdmin":true},"sub":"a","ver":1,"roles":["user"]}'), 'ver');
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
    expect((claims as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(Object.keys(claims)).toEqual(['__proto__', 'roles']);
  });
});
