import { Controller, Module, Sse, type INestApplication, type MessageEvent, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { interval, map, type Observable } from 'rxjs';
import { AuthTokenService, CurrentUser, LiveConnectionRegistry, Public } from 'nestjs-jwt-revocation';
import { JwtRevocationTestingModule } from 'nestjs-jwt-revocation/testing';
import { openEventStream, within } from './support/live-clients';
import { waitUntil } from './support/tcp-proxy';

/** Generous: the design closes within the propagation bound (milliseconds); the benchmark has the figure. */
const CLOSE_BOUND_MS = 3000;

@Controller()
class TickerController {
  @Sse('ticks')
  ticks(@CurrentUser('id') id: string): Observable<MessageEvent> {
    return interval(50).pipe(map((n) => ({ data: { n, for: id } })));
  }

  @Public()
  @Sse('public-ticks')
  publicTicks(): Observable<MessageEvent> {
    return interval(50).pipe(map((n) => ({ data: { n } })));
  }
}

function appWith(options: object): Type {
  @Module({
    imports: [JwtRevocationTestingModule.forRoot({ users: ['alice', 'bob'], options: { sessions: { reuseGraceMs: 0 }, ...options } })],
    controllers: [TickerController],
  })
  class SseApp {}
  return SseApp;
}

const adapters = [
  { name: 'express', create: () => new ExpressAdapter() },
  { name: 'fastify', create: () => new FastifyAdapter() },
];

describe.each(adapters)('server-sent event streams, over $name', (adapter) => {
  let app: INestApplication;
  let short: INestApplication;
  let url: string;
  let shortUrl: string;
  let tokens: AuthTokenService;

  const listen = async (module: Type) => {
    const created = await NestFactory.create(module, adapter.create(), { logger: ['error'], abortOnError: false });
    await created.listen(0, '127.0.0.1');
    return { created, base: (await created.getUrl()).replace('[::1]', '127.0.0.1') };
  };

  beforeAll(async () => {
    ({ created: app, base: url } = await listen(appWith({})));
    ({ created: short, base: shortUrl } = await listen(appWith({ accessTokenTtl: 2 })));
    tokens = app.get(AuthTokenService);
  });

  afterAll(async () => {
    await app?.close();
    await short?.close();
  });

  it('refuses a stream without a valid token like any route (401), and serves a @Public() one', async () => {
    const anonymous = await openEventStream(`${url}/ticks`);
    expect(anonymous.status).toBe(401);
    const bad = await openEventStream(`${url}/ticks`, 'a.b.c');
    expect(bad.status).toBe(401);
    const open = await openEventStream(`${url}/public-ticks`);
    expect(open.status).toBe(200);
    await waitUntil(async () => open.text().includes('"n":1'), CLOSE_BOUND_MS);
    open.abort();
  });

  it('streams as the current user, then ends the stream with a `revoked` event when the session logs out', async () => {
    const session = await tokens.login('alice');
    const other = await tokens.login('alice');
    const stream = await openEventStream(`${url}/ticks`, session.accessToken);
    const bystander = await openEventStream(`${url}/ticks`, other.accessToken);
    expect(stream.status).toBe(200);
    await waitUntil(async () => stream.text().includes('"for":"alice"'), CLOSE_BOUND_MS);
    await tokens.logout({ id: 'alice', sessionId: session.sessionId });
    await within(stream.ended, CLOSE_BOUND_MS, 'stream end');
    expect(stream.text()).toMatch(/event: revoked\n(id: \d+\n)?data: {"reason":"session-revoked"}\n\n$/);
    const before = bystander.text().length;
    await waitUntil(async () => bystander.text().length > before, CLOSE_BOUND_MS); // still streaming
    bystander.abort();
  });

  it('logout-all, a session revoke and logoutEveryone() end the streams', async () => {
    const all = await openEventStream(`${url}/ticks`, (await tokens.login('bob')).accessToken);
    await tokens.logoutAll('bob');
    await within(all.ended, CLOSE_BOUND_MS, 'end on logout-all');
    const revoked = await tokens.login('bob');
    const one = await openEventStream(`${url}/ticks`, revoked.accessToken);
    await tokens.revokeSession('bob', revoked.sessionId!);
    await within(one.ended, CLOSE_BOUND_MS, 'end on session revoke');
    const everyone = await openEventStream(`${url}/ticks`, (await tokens.login('bob')).accessToken);
    await tokens.logoutEveryone();
    await within(everyone.ended, CLOSE_BOUND_MS, 'end on everyone-out');
    expect(everyone.text()).toContain('data: {"reason":"everyone-revoked"}');
  });

  it('forgets a stream the client closed', async () => {
    const registry = app.get(LiveConnectionRegistry);
    const stream = await openEventStream(`${url}/ticks`, (await tokens.login('alice')).accessToken);
    expect(stream.status).toBe(200);
    await waitUntil(async () => registry.countOf('alice') >= 1, CLOSE_BOUND_MS);
    const count = registry.countOf('alice');
    stream.abort();
    await waitUntil(async () => registry.countOf('alice') === count - 1, CLOSE_BOUND_MS);
  });

  it('ends the stream when its token expires', async () => {
    const stream = await openEventStream(`${shortUrl}/ticks`, (await short.get(AuthTokenService).login('alice')).accessToken);
    expect(stream.status).toBe(200);
    await within(stream.ended, 2000 + CLOSE_BOUND_MS, 'end at expiry');
    expect(stream.text()).toContain('data: {"reason":"expired"}');
  });
});
