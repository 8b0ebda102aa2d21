import { Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import request from 'supertest';
import { NoStore, Public } from 'nestjs-jwt-revocation';
import { JwtRevocationTestingModule } from 'nestjs-jwt-revocation/testing';
import { testMatrix } from './support/databases';
import { bearer, startApp, type TestApp } from './support/test-app';

// RFC 6749 §5.1: a response carrying a token has Cache-Control: no-store and Pragma: no-cache.
const expectNoStore = (res: request.Response) => {
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['pragma']).toBe('no-cache');
};

describe.each(testMatrix().filter(({ database }) => database.name === 'sqlite'))('token responses of the demo on $label', ({ database, adapter }) => {
  for (const cookieMode of [false, true]) {
    describe(cookieMode ? 'in cookie mode' : 'with tokens in the body', () => {
      let t: TestApp;
      let drop: () => Promise<void>;

      beforeAll(async () => {
        const created = await database.create();
        drop = created.drop;
        t = await startApp(created.url, { httpAdapter: adapter, cookieMode });
      });

      afterAll(async () => {
        await t?.close();
        await drop?.();
      });

      it('login, refresh and change-password answer no-store; other routes are left alone', async () => {
        const email = `no-store-${Date.now()}@example.com`;
        await t.http().post('/auth/register').send({ email, password: 'correct horse battery' }).expect(201);
        const loggedIn = await t.http().post('/auth/login').send({ email, password: 'correct horse battery' }).expect(200);
        expectNoStore(loggedIn);
        const cookies = ([] as string[]).concat(loggedIn.headers['set-cookie'] ?? []);
        const cookieValue = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0].slice(name.length + 1);
        // The library's cookie mode names: __Secure- for the path-scoped refresh cookie, __Host- for the CSRF one.
        const csrf = cookieValue('__Host-csrf');
        const refreshed = cookieMode
          ? await t.http().post('/auth/refresh').set('Cookie', `__Secure-refresh=${cookieValue('__Secure-refresh')}; __Host-csrf=${csrf}`).set('X-CSRF-Token', csrf!).send({}).expect(200)
          : await t.http().post('/auth/refresh').send({ refreshToken: loggedIn.body.refreshToken }).expect(200);
        expectNoStore(refreshed);
        const changed = await t
          .http()
          .post('/auth/change-password')
          .set(bearer(refreshed.body.accessToken))
          .send({ currentPassword: 'correct horse battery', newPassword: 'another long passphrase' })
          .expect(200);
        expectNoStore(changed);
        const health = await t.http().get('/health').expect(200);
        expect(health.headers['pragma']).toBeUndefined();
      });
    });
  }
});

@Controller('custom')
class CustomTokenController {
  @Public()
  @Post('token')
  token() {
    return { access_token: 'issued-by-the-app', token_type: 'Bearer' };
  }

  @Public()
  @NoStore()
  @Get('secret-report')
  report() {
    return { report: 'nothing cacheable' };
  }

  @Public()
  @Get('plain')
  plain() {
    return { accessTokenCount: 3 };
  }
}

@Module({ imports: [JwtRevocationTestingModule.forRoot()], controllers: [CustomTokenController] })
class CustomApp {}

describe.each([
  { name: 'express', create: () => new ExpressAdapter() },
  { name: 'fastify', create: () => new FastifyAdapter() },
])('token responses of an app of its own over $name', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await NestFactory.create(CustomApp, adapter.create(), { logger: false });
    await app.init();
    if (adapter.name === 'fastify') await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app?.close());

  it('marks any body with an access or refresh token no-store, in camelCase or OAuth spelling', async () => {
    expectNoStore(await request(app.getHttpServer()).post('/custom/token').expect(201));
  });

  it('marks a @NoStore() route', async () => {
    expectNoStore(await request(app.getHttpServer()).get('/custom/secret-report').expect(200));
  });

  it('leaves a body without a token alone', async () => {
    const res = await request(app.getHttpServer()).get('/custom/plain').expect(200);
    expect(res.headers['pragma']).toBeUndefined();
  });
});
