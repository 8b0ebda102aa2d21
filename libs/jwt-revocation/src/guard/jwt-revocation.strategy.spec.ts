import { Controller, Get, UseGuards, type INestApplication } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { JwtRevocationTestingModule } from '../testing/jwt-revocation-testing.module';
import { AuthTokenService } from '../auth-token.service';
import { Auth } from '../decorators/auth.decorator';
import { CurrentUser } from '../decorators/current-user.decorator';
import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import { JWT_REVOCATION_STRATEGY } from '../jwt-revocation.constants';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';

const SECRET = 'strategy-spec-secret-of-at-least-32-bytes';

/** The same handler behind the Passport strategy and behind the library's guard. */
@Controller()
class ProfileController {
  @Get('passport')
  @UseGuards(AuthGuard(JWT_REVOCATION_STRATEGY))
  viaPassport(@CurrentUser() user: AuthenticatedUser) {
    return { id: user.id, sessionId: user.sessionId ?? null, tokenVersion: user.tokenVersion };
  }

  @Get('guard')
  @Auth()
  viaGuard(@CurrentUser() user: AuthenticatedUser) {
    return { id: user.id, sessionId: user.sessionId ?? null, tokenVersion: user.tokenVersion };
  }
}

class SwitchableVersionStore extends InMemoryTokenVersionStore {
  down = false;
  override async getVersion(userId: string): Promise<number | null> {
    if (this.down) throw new Error('database unreachable');
    return super.getVersion(userId);
  }
}

describe('JwtRevocationStrategy behind AuthGuard("jwt-revocation")', () => {
  let app: INestApplication;
  let tokens: AuthTokenService;
  let versions: SwitchableVersionStore;

  beforeEach(async () => {
    versions = new SwitchableVersionStore();
    versions.addUser('user-1');
    const module = await Test.createTestingModule({
      imports: [
        JwtRevocationTestingModule.forRoot({
          globalGuard: false,
          options: { secret: SECRET, tokenVersionStore: versions, sessions: { purgeIntervalMs: 0 } },
        }),
      ],
      controllers: [ProfileController],
    }).compile();
    app = module.createNestApplication({ logger: false });
    await app.init();
    tokens = app.get(AuthTokenService);
  });

  afterEach(async () => {
    await app.close();
  });

  type Send = (req: request.Test) => request.Test;
  /** What a client sees from one route: status, challenge headers and body. */
  async function seen(path: '/passport' | '/guard', send: Send) {
    const res = await send(request(app.getHttpServer()).get(path));
    return { status: res.status, wwwAuthenticate: res.headers['www-authenticate'], retryAfter: res.headers['retry-after'], body: res.body };
  }
  async function bothSee(send: Send) {
    const passport = await seen('/passport', send);
    const guard = await seen('/guard', send);
    expect(passport).toEqual(guard);
    return passport;
  }

  it('accepts a valid token and injects the same user as the guard', async () => {
    const pair = await tokens.login('user-1');
    const seenByBoth = await bothSee((req) => req.set('Authorization', `Bearer ${pair.accessToken}`));
    expect(seenByBoth).toMatchObject({ status: 200, body: { id: 'user-1', sessionId: pair.sessionId, tokenVersion: 0 } });
  });

  it('refuses a token revoked by logoutAll, exactly like the guard', async () => {
    const token = await tokens.issueAccessToken('user-1');
    await bothSee((req) => req.set('Authorization', `Bearer ${token}`));
    await tokens.logoutAll('user-1');
    const refused = await bothSee((req) => req.set('Authorization', `Bearer ${token}`));
    expect(refused).toMatchObject({ status: 401, wwwAuthenticate: 'Bearer error="invalid_token"', body: { error: 'invalid_token' } });
  });

  it('refuses a token whose session was logged out, exactly like the guard', async () => {
    const pair = await tokens.login('user-1');
    await tokens.logout({ id: 'user-1', sessionId: pair.sessionId });
    const refused = await bothSee((req) => req.set('Authorization', `Bearer ${pair.accessToken}`));
    expect(refused).toMatchObject({ status: 401, wwwAuthenticate: 'Bearer error="invalid_token"' });
  });

  it('refuses a request without a token, exactly like the guard', async () => {
    expect(await bothSee((req) => req)).toMatchObject({ status: 401, wwwAuthenticate: 'Bearer' });
  });

  it('refuses a malformed header, exactly like the guard', async () => {
    const token = await tokens.issueAccessToken('user-1');
    expect(await bothSee((req) => req.set('Authorization', 'Bearer'))).toMatchObject({ status: 400, wwwAuthenticate: 'Bearer error="invalid_request"' });
    expect(await bothSee((req) => req.set('Authorization', `Bearer ${token} ${token}`))).toMatchObject({ status: 400 });
  });

  it('refuses a forged token, exactly like the guard', async () => {
    const [header, payload] = (await tokens.issueAccessToken('user-1')).split('.');
    expect(await bothSee((req) => req.set('Authorization', `Bearer ${header}.${payload}.AAAA`))).toMatchObject({ status: 401 });
  });

  it('answers 503 with Retry-After when the store is down, exactly like the guard', async () => {
    const token = await tokens.issueAccessToken('user-1');
    versions.down = true;
    expect(await bothSee((req) => req.set('Authorization', `Bearer ${token}`))).toMatchObject({ status: 503, retryAfter: '5' });
  });

  // The strategy documents that it and the guard "always agree"; the guard refuses a query-string token with 400.
  it.each([
    ['alone', false],
    ['beside a valid Authorization header', true],
  ])('refuses a token in ?access_token= %s, exactly like the guard', async (_label, withHeader) => {
    const token = await tokens.issueAccessToken('user-1');
    const send: Send = (req) => {
      const withQuery = req.query({ access_token: token });
      return withHeader ? withQuery.set('Authorization', `Bearer ${token}`) : withQuery;
    };
    expect(await bothSee(send)).toMatchObject({ status: 400, wwwAuthenticate: 'Bearer error="invalid_request"' });
  });
});
