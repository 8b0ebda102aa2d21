import { Controller, ForbiddenException, Get, Injectable, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { JwtRevocationTestingModule } from '../testing/jwt-revocation-testing.module';
import type { JwtRevocationModuleOptions } from '../options/jwt-revocation-options.interface';
import { JwtRevocationGuard } from './jwt-revocation.guard';
import { RevocationChecker } from '../revocation/revocation-checker';
import { AuthTokenService } from '../auth-token.service';
import { Public } from '../decorators/public.decorator';
import { Auth } from '../decorators/auth.decorator';
import { CurrentUser } from '../decorators/current-user.decorator';
import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { InvalidAuthRequestException, type BearerAuthException } from '../errors/bearer-auth.exceptions';
import type { AuthRequest } from './request-context';

const SECRET = 'guard-spec-secret-of-at-least-32-bytes!!';
const MISSING = 'Bearer';
const INVALID_TOKEN = 'Bearer error="invalid_token"';
const INVALID_REQUEST = 'Bearer error="invalid_request"';

@Controller('plain')
class PlainController {
  @Get()
  whoAmI(@CurrentUser() user: AuthenticatedUser | undefined) {
    return { user: user ?? null };
  }

  @Get('id')
  id(@CurrentUser('id') id: string | undefined) {
    return { id: id ?? null };
  }

  @Get('public')
  @Public()
  open() {
    return { open: true };
  }

  @Get('auth')
  @Auth()
  protectedByAuth(@CurrentUser('id') id: string) {
    return { id };
  }

  @Get('strict')
  @Auth({ strict: true })
  strict(@CurrentUser('id') id: string) {
    return { id };
  }
}

@Controller('public-class')
@Public()
class PublicClassController {
  @Get()
  open() {
    return { open: true };
  }

  @Get('auth')
  @Auth()
  locked(@CurrentUser('id') id: string) {
    return { id };
  }
}

@Controller('auth-class')
@Auth()
class AuthClassController {
  @Get()
  locked(@CurrentUser('id') id: string) {
    return { id };
  }

  @Get('public')
  @Public()
  open() {
    return { open: true };
  }
}

/** A version store that can be taken down, as a database outage would. */
class SwitchableVersionStore extends InMemoryTokenVersionStore {
  down = false;
  override async getVersion(userId: string): Promise<number | null> {
    if (this.down) throw new Error('database unreachable');
    return super.getVersion(userId);
  }
}

interface Started {
  app: INestApplication;
  versions: InMemoryTokenVersionStore;
  tokens: AuthTokenService;
  checker: RevocationChecker;
  http: () => ReturnType<typeof request>;
}

async function startApp({ globalGuard, ...options }: Partial<JwtRevocationModuleOptions> & { globalGuard?: boolean } = {}): Promise<Started> {
  const module = await Test.createTestingModule({
    imports: [JwtRevocationTestingModule.forRoot({ globalGuard, options: { secret: SECRET, sessions: { purgeIntervalMs: 0 }, ...options } })],
    controllers: [PlainController, PublicClassController, AuthClassController],
  }).compile();
  const versions = (options.tokenVersionStore as InMemoryTokenVersionStore | undefined) ?? module.get<InMemoryTokenVersionStore>(InMemoryTokenVersionStore);
  versions.addUser('user-1');
  const app = module.createNestApplication({ logger: false });
  await app.init();
  return { app, versions, tokens: app.get(AuthTokenService), checker: app.get(RevocationChecker), http: () => request(app.getHttpServer()) };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('JwtRevocationGuard', () => {
  let t: Started;
  let token: string;

  afterEach(async () => {
    await t?.app.close();
  });

  describe('as the global guard (default)', () => {
    beforeEach(async () => {
      t = await startApp();
      token = await t.tokens.issueAccessToken('user-1');
    });

    it('refuses an unannotated route without a token: 401 with a bare Bearer challenge', async () => {
      const res = await t.http().get('/plain').expect(401);
      expect(res.headers['www-authenticate']).toBe(MISSING);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Authentication required' });
    });

    it('lets a valid token through and injects the user with @CurrentUser()', async () => {
      const res = await t.http().get('/plain').set(bearer(token)).expect(200);
      expect(res.body.user).toMatchObject({ id: 'user-1', tokenVersion: 0, tokenId: expect.any(String) });
    });

    it("injects one field with @CurrentUser('id')", async () => {
      await t.http().get('/plain/id').set(bearer(token)).expect(200, { id: 'user-1' });
    });

    it('accepts the scheme in any case', async () => {
      await t.http().get('/plain/id').set('Authorization', `bEARER ${token}`).expect(200, { id: 'user-1' });
    });

    it('refuses a forged token: 401 invalid_token', async () => {
      const [header, payload] = token.split('.');
      const res = await t.http().get('/plain').set(bearer(`${header}.${payload}.AAAA`)).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
      expect(res.body.error).toBe('invalid_token');
    });

    it('refuses a token revoked by logoutAll: 401 invalid_token', async () => {
      await t.http().get('/plain').set(bearer(token)).expect(200);
      await t.tokens.logoutAll('user-1');
      const res = await t.http().get('/plain').set(bearer(token)).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
    });

    it('refuses another scheme as a missing token', async () => {
      const res = await t.http().get('/plain').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
      expect(res.headers['www-authenticate']).toBe(MISSING);
    });

    it('answers 400 invalid_request to "Bearer" alone and to two tokens', async () => {
      for (const value of ['Bearer', `Bearer ${token} ${token}`, `Bearer ${token},${token}`]) {
        const res = await t.http().get('/plain').set('Authorization', value).expect(400);
        expect(res.headers['www-authenticate']).toBe(INVALID_REQUEST);
      }
    });

    it('answers 400 invalid_request to a token in ?access_token=, with or without a header', async () => {
      const alone = await t.http().get('/plain').query({ access_token: token }).expect(400);
      expect(alone.headers['www-authenticate']).toBe(INVALID_REQUEST);
      expect(alone.body.error).toBe('invalid_request');
      const withHeader = await t.http().get('/plain').query({ access_token: token }).set(bearer(token)).expect(400);
      expect(withHeader.headers['www-authenticate']).toBe(INVALID_REQUEST);
    });

    it('leaves a @Public() route open, with no user', async () => {
      await t.http().get('/plain/public').expect(200, { open: true });
    });

    it('leaves every route of a @Public() controller open', async () => {
      await t.http().get('/public-class').expect(200, { open: true });
    });

    it('protects an @Auth() handler inside a @Public() controller (the handler wins)', async () => {
      const res = await t.http().get('/public-class/auth').expect(401);
      expect(res.headers['www-authenticate']).toBe(MISSING);
      await t.http().get('/public-class/auth').set(bearer(token)).expect(200, { id: 'user-1' });
    });

    it('opens a @Public() handler inside an @Auth() controller (the handler wins)', async () => {
      await t.http().get('/auth-class/public').expect(200, { open: true });
      await t.http().get('/auth-class').expect(401);
      await t.http().get('/auth-class').set(bearer(token)).expect(200, { id: 'user-1' });
    });

    it('answers 503 with Retry-After when the version store is down', async () => {
      await t.app.close();
      const versions = new SwitchableVersionStore();
      t = await startApp({ tokenVersionStore: versions, retryAfterSeconds: 11 });
      token = await t.tokens.issueAccessToken('user-1');
      versions.down = true;
      const res = await t.http().get('/plain').set(bearer(token)).expect(503);
      expect(res.headers['retry-after']).toBe('11');
      expect(JSON.stringify(res.body)).not.toContain('database unreachable');
      expect(t.checker.metrics.failClosedRefusals).toBe(1);
    });

    it('verifies a request once when both the global guard and @Auth() apply', async () => {
      await t.app.close();
      t = await startApp({ cache: { enabled: false } });
      token = await t.tokens.issueAccessToken('user-1');
      const before = t.checker.metrics.storeReads;
      await t.http().get('/plain/auth').set(bearer(token)).expect(200, { id: 'user-1' });
      expect(t.checker.metrics.storeReads - before).toBe(1);
    });

    it('@Auth({ strict: true }) reads the store where the cache would still answer', async () => {
      await t.http().get('/plain').set(bearer(token)).expect(200);
      await t.versions.incrementVersion('user-1'); // not announced: the cache still holds version 0
      await t.http().get('/plain').set(bearer(token)).expect(200);
      const res = await t.http().get('/plain/strict').set(bearer(token)).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
    });
  });

  describe('with globalGuard: false', () => {
    beforeEach(async () => {
      t = await startApp({ globalGuard: false });
      token = await t.tokens.issueAccessToken('user-1');
    });

    it('leaves unannotated routes open, without a user', async () => {
      await t.http().get('/plain').expect(200, { user: null });
      await t.http().get('/plain/id').set(bearer('not.a.token')).expect(200, { id: null });
    });

    it('protects @Auth() routes', async () => {
      const res = await t.http().get('/plain/auth').expect(401);
      expect(res.headers['www-authenticate']).toBe(MISSING);
      await t.http().get('/plain/auth').set(bearer(token)).expect(200, { id: 'user-1' });
      await t.tokens.logoutAll('user-1');
      const revoked = await t.http().get('/plain/auth').set(bearer(token)).expect(401);
      expect(revoked.headers['www-authenticate']).toBe(INVALID_TOKEN);
    });

    it('protects an @Auth() controller and opens its @Public() handler', async () => {
      await t.http().get('/auth-class').expect(401);
      await t.http().get('/auth-class').set(bearer(token)).expect(200, { id: 'user-1' });
      await t.http().get('/auth-class/public').expect(200, { open: true });
    });

    it('protects an @Auth() handler inside a @Public() controller', async () => {
      await t.http().get('/public-class').expect(200, { open: true });
      await t.http().get('/public-class/auth').expect(401);
      await t.http().get('/public-class/auth').set(bearer(token)).expect(200, { id: 'user-1' });
    });

    it('still refuses ?access_token= on an @Auth() route', async () => {
      const res = await t.http().get('/plain/auth').query({ access_token: token }).expect(400);
      expect(res.headers['www-authenticate']).toBe(INVALID_REQUEST);
    });
  });

  describe('extended by a subclass', () => {
    /** Overrides every hook, records the call and defers to the library's behaviour. */
    @Injectable()
    class RecordingGuard extends JwtRevocationGuard {
      readonly calls: string[] = [];
      protected override shouldSkip(context: ExecutionContext) {
        this.calls.push('shouldSkip');
        return super.shouldSkip(context);
      }
      protected override getRequest(context: ExecutionContext) {
        this.calls.push('getRequest');
        return super.getRequest(context);
      }
      protected override tokenFromRequest(request: AuthRequest) {
        this.calls.push('tokenFromRequest');
        return super.tokenFromRequest(request);
      }
      protected override async handleRequest(user: AuthenticatedUser, context: ExecutionContext) {
        this.calls.push('handleRequest');
        if (user.id === 'blocked') throw new ForbiddenException('blocked by the app');
        return { ...(await super.handleRequest(user, context)), tokenId: 'seen-by-subclass' };
      }
      protected override throwUnauthorized(error: BearerAuthException, context: ExecutionContext): never {
        this.calls.push('throwUnauthorized');
        return super.throwUnauthorized(error, context);
      }
    }

    let guard: RecordingGuard;

    beforeEach(async () => {
      const module = await Test.createTestingModule({
        imports: [JwtRevocationTestingModule.forRoot({ users: ['user-1', 'blocked'], globalGuard: false, options: { secret: SECRET } })],
        controllers: [PlainController, PublicClassController],
        providers: [RecordingGuard, { provide: APP_GUARD, useExisting: RecordingGuard }],
      }).compile();
      const app = module.createNestApplication({ logger: false });
      await app.init();
      guard = app.get(RecordingGuard);
      t = { app, versions: module.get(InMemoryTokenVersionStore), tokens: app.get(AuthTokenService), checker: app.get(RevocationChecker), http: () => request(app.getHttpServer()) };
    });

    it('calls shouldSkip, getRequest, tokenFromRequest and handleRequest, and uses what handleRequest returns', async () => {
      const token = await t.tokens.issueAccessToken('user-1');
      const res = await t.http().get('/plain').set(bearer(token)).expect(200);
      expect(res.body.user).toMatchObject({ id: 'user-1', tokenId: 'seen-by-subclass' });
      expect(guard.calls).toEqual(['shouldSkip', 'getRequest', 'tokenFromRequest', 'handleRequest']);
    });

    it('calls throwUnauthorized for a refused token, which still answers 401 with its challenge', async () => {
      const res = await t.http().get('/plain').set(bearer('not.a.token')).expect(401);
      expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
      expect(guard.calls).toEqual(['shouldSkip', 'getRequest', 'tokenFromRequest', 'throwUnauthorized']);
    });

    it('passes on an exception of its own from handleRequest untouched', async () => {
      const token = await t.tokens.issueAccessToken('blocked');
      const res = await t.http().get('/plain').set(bearer(token)).expect(403);
      expect(res.body.message).toBe('blocked by the app');
      expect(guard.calls).toEqual(['shouldSkip', 'getRequest', 'tokenFromRequest', 'handleRequest']);
    });

    it('stops at shouldSkip for a @Public() route', async () => {
      await t.http().get('/public-class').expect(200, { open: true });
      expect(guard.calls).toEqual(['shouldSkip']);
    });
  });

  it('answers a cached token without a promise, a store read with one, and a refusal as a rejected promise', async () => {
    t = await startApp();
    const guard = t.app.get(JwtRevocationGuard);
    const contextFor = (authorization: string) => {
      const context = new ExecutionContextHost([{ headers: { authorization } }, {}], PlainController, PlainController.prototype.whoAmI);
      context.setType('http');
      return context;
    };
    const bearer = `Bearer ${await t.tokens.issueAccessToken('user-1')}`;
    // First sight: the version is read from the store, so the answer is a promise.
    const first = guard.canActivate(contextFor(bearer));
    expect(first).toBeInstanceOf(Promise);
    await expect(first).resolves.toBe(true);
    // Cached now: `true` itself, and request.user is set by the time it returns.
    const context = contextFor(bearer);
    expect(guard.canActivate(context)).toBe(true);
    expect(context.switchToHttp().getRequest<AuthRequest>().user).toMatchObject({ id: 'user-1' });
    const refused = guard.canActivate(contextFor('Bearer not.a.token'));
    expect(refused).toBeInstanceOf(Promise);
    await expect(refused).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a context type it does not know (deny by default)', async () => {
    t = await startApp();
    const guard = t.app.get(JwtRevocationGuard);
    const contextOfType = async (type: string) => {
      const req = { headers: { authorization: `Bearer ${await t.tokens.issueAccessToken('user-1')}` } };
      const context = new ExecutionContextHost([req, {}], PlainController, PlainController.prototype.whoAmI);
      context.setType(type);
      return context;
    };
    // The same request passes over HTTP, so only the unknown type refuses it.
    await expect(guard.canActivate(await contextOfType('http'))).resolves.toBe(true);
    await expect(guard.canActivate(await contextOfType('carrier-pigeon'))).rejects.toBeInstanceOf(InvalidAuthRequestException);
  });
});
