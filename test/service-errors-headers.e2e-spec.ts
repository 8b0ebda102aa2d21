// Issue 12 §7, issue 14: errors the token service throws inside an app's own controller keep their
// headers (WWW-Authenticate on a refresh 401, Retry-After on a 503) when the app opts in: with
// BearerAuthExceptionFilter (the documented way) or AuthHeadersInterceptor. The module installs no
// global interceptor (it would cost every request), so Nest's default handler alone drops them.
import { Body, Controller, HttpCode, Post, type INestApplication, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthHeadersInterceptor, AuthTokenService, BearerAuthExceptionFilter, Public } from 'nestjs-jwt-revocation';
import { InMemoryTokenVersionStore, JwtRevocationTestingModule } from 'nestjs-jwt-revocation/testing';

@Controller('auth')
class TokensController {
  constructor(private readonly tokens: AuthTokenService) {}

  @Public()
  @HttpCode(200)
  @Post('refresh')
  refresh(@Body('refreshToken') refreshToken: string) {
    return this.tokens.refresh(refreshToken);
  }

  @Public()
  @HttpCode(200)
  @Post('login')
  login(@Body('userId') userId: string) {
    return this.tokens.login(userId);
  }
}

async function start(adapter: 'express' | 'fastify', providers: Provider[]): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [JwtRevocationTestingModule.forRoot({ users: ['alice'], options: { retryAfterSeconds: 7 } })],
    controllers: [TokensController],
    providers,
  }).compile();
  const app = adapter === 'fastify' ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false }) : moduleRef.createNestApplication({ logger: false });
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return app;
}

describe.each(['express', 'fastify'] as const)('service errors in an app controller over %s', (adapter) => {
  it("without the filter, Nest's default handler answers 401 and 503 without their headers (what the filter is for)", async () => {
    const app = await start(adapter, []);
    try {
      const refused = await request(app.getHttpServer()).post('/auth/refresh').send({ refreshToken: 'rt.not-a-token' }).expect(401);
      expect(refused.headers['www-authenticate']).toBeUndefined();
      jest.spyOn(app.get(InMemoryTokenVersionStore), 'getVersion').mockRejectedValue(new Error('down'));
      const unavailable = await request(app.getHttpServer()).post('/auth/login').send({ userId: 'alice' }).expect(503);
      expect(unavailable.headers['retry-after']).toBeUndefined();
      jest.restoreAllMocks();
    } finally {
      await app.close();
    }
  });

  it("with AuthHeadersInterceptor applied by the app: the headers under Nest's default handler", async () => {
    const app = await start(adapter, [{ provide: APP_INTERCEPTOR, useClass: AuthHeadersInterceptor }]);
    try {
      const refused = await request(app.getHttpServer()).post('/auth/refresh').send({ refreshToken: 'rt.not-a-token' }).expect(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      jest.spyOn(app.get(InMemoryTokenVersionStore), 'getVersion').mockRejectedValue(new Error('down'));
      const unavailable = await request(app.getHttpServer()).post('/auth/login').send({ userId: 'alice' }).expect(503);
      expect(unavailable.headers['retry-after']).toBe('7');
      jest.restoreAllMocks();
    } finally {
      await app.close();
    }
  });

  it('with BearerAuthExceptionFilter: WWW-Authenticate on a refresh 401, Retry-After on a 503, bodies unchanged', async () => {
    const app = await start(adapter, [{ provide: APP_FILTER, useClass: BearerAuthExceptionFilter }]);
    try {
      const refused = await request(app.getHttpServer()).post('/auth/refresh').send({ refreshToken: 'rt.not-a-token' }).expect(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(refused.body).toEqual({ statusCode: 401, error: 'invalid_grant', message: 'The refresh token is invalid, expired or revoked' });

      jest.spyOn(app.get(InMemoryTokenVersionStore), 'getVersion').mockRejectedValue(new Error('down'));
      const unavailable = await request(app.getHttpServer()).post('/auth/login').send({ userId: 'alice' }).expect(503);
      expect(unavailable.headers['retry-after']).toBe('7');
      expect(unavailable.body.error).toBe('Service Unavailable');
      // Other errors are left to Nest as they were.
      jest.restoreAllMocks();
      await request(app.getHttpServer()).post('/auth/login').send({ userId: 'alice' }).expect(200);
    } finally {
      await app.close();
    }
  });
});
