import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { GraphQLModule, Query, Resolver, Subscription } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  Auth,
  AuthTokenService,
  CurrentUser,
  GRAPHQL_WS_REVOKED_CLOSE_CODE,
  GraphqlWsLiveConnections,
  LiveConnectionRegistry,
  Public,
} from 'nestjs-jwt-revocation';
import { InMemoryTokenVersionStore, JwtRevocationTestingModule } from 'nestjs-jwt-revocation/testing';
import { within } from './support/live-clients';
import { waitUntil } from './support/tcp-proxy';

/** Generous: the design closes within the propagation bound (milliseconds); the benchmark has the figure. */
const CLOSE_BOUND_MS = 3000;

async function* ticksFor(id: string): AsyncGenerator<{ ticks: string }> {
  for (let n = 0; ; n++) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    yield { ticks: `${id}:${n}` };
  }
}

@Resolver()
class TicksResolver {
  @Public()
  @Query(() => String)
  ping(): string {
    return 'pong';
  }

  @Subscription(() => String)
  ticks(@CurrentUser('id') id: string): AsyncGenerator<{ ticks: string }> {
    return ticksFor(id);
  }

  /** Strict: the guard reads the store at this subscribe, whatever the connection's check found. */
  @Auth({ strict: true })
  @Subscription(() => String, { resolve: (payload: { ticks: string }) => payload.ticks })
  strictTicks(@CurrentUser('id') id: string): AsyncGenerator<{ ticks: string }> {
    return ticksFor(id);
  }
}

/** A version store whose reads can be made to fail, as a database outage would. */
class FlakyVersionStore extends InMemoryTokenVersionStore {
  down = false;
  override async getVersion(userId: string): Promise<number | null> {
    if (this.down) throw new Error('connection refused');
    return super.getVersion(userId);
  }
}

function appWith(options: object): Type {
  @Module({
    imports: [
      JwtRevocationTestingModule.forRoot({ users: ['alice', 'bob'], options: { sessions: { reuseGraceMs: 0 }, ...options } }),
      GraphQLModule.forRootAsync<ApolloDriverConfig>({
        driver: ApolloDriver,
        inject: [GraphqlWsLiveConnections],
        useFactory: (live: GraphqlWsLiveConnections) => ({ autoSchemaFile: true, subscriptions: { 'graphql-ws': live.serverOptions() } }),
      }),
    ],
    providers: [TicksResolver],
  })
  class GraphqlWsApp {}
  return GraphqlWsApp;
}

const adapters = [
  { name: 'express', create: () => new ExpressAdapter() },
  { name: 'fastify', create: () => new FastifyAdapter() },
];

interface Subscriber {
  client: Client;
  values: string[];
  errors: unknown[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Subscribes to `ticks` over graphql-ws with the given connectionParams; no retries, so a close is final. */
function subscribe(url: string, connectionParams: Record<string, unknown>): Subscriber {
  let onClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    on: { closed: (event) => onClosed({ code: (event as WebSocket.CloseEvent).code, reason: String((event as WebSocket.CloseEvent).reason) }) },
  });
  const subscriber: Subscriber = { client, values: [], errors: [], closed };
  client.subscribe<{ ticks: string }>(
    { query: 'subscription { ticks }' },
    {
      next: (result) => (result.data ? subscriber.values.push(result.data.ticks) : subscriber.errors.push(result.errors)),
      error: (error) => subscriber.errors.push(error),
      complete: () => undefined,
    },
  );
  return subscriber;
}

describe.each(adapters)('GraphQL subscriptions over graphql-ws, over $name', (adapter) => {
  let app: INestApplication;
  let short: INestApplication;
  let url: string;
  let shortUrl: string;
  let tokens: AuthTokenService;
  const open: Subscriber[] = [];

  const listen = async (module: Type) => {
    const created = await NestFactory.create(module, adapter.create(), { logger: ['error'], abortOnError: false });
    await created.listen(0, '127.0.0.1');
    return { created, ws: `${(await created.getUrl()).replace('[::1]', '127.0.0.1').replace('http', 'ws')}/graphql` };
  };

  const start = (target: string, params: Record<string, unknown>) => {
    const subscriber = subscribe(target, params);
    open.push(subscriber);
    return subscriber;
  };

  beforeAll(async () => {
    ({ created: app, ws: url } = await listen(appWith({})));
    ({ created: short, ws: shortUrl } = await listen(appWith({ accessTokenTtl: 2 })));
    tokens = app.get(AuthTokenService);
  });

  afterEach(async () => {
    for (const subscriber of open.splice(0)) await subscriber.client.dispose();
  });

  afterAll(async () => {
    await app?.close();
    await short?.close();
  });

  it('refuses a connection without a valid token in connectionParams: closed with 4403', async () => {
    for (const params of [{}, { authorization: 'Bearer a.b.c' }, { token: 'a.b.c' }, { authorization: 'Basic eDp5' }]) {
      const refused = start(url, params);
      await expect(within(refused.closed, CLOSE_BOUND_MS, 'refusal')).resolves.toMatchObject({ code: 4403, reason: 'Forbidden' });
      expect(refused.values).toEqual([]);
    }
    const { accessToken } = await tokens.login('alice');
    const both = start(url, { authorization: `Bearer ${accessToken}`, token: accessToken }); // two credentials
    await expect(within(both.closed, CLOSE_BOUND_MS, 'refusal')).resolves.toMatchObject({ code: 4403 });
  });

  it('streams to the current user (token as authorization or token), then closes with 4403 when the session logs out', async () => {
    const session = await tokens.login('alice');
    const other = await tokens.login('alice');
    const subscriber = start(url, { authorization: `Bearer ${session.accessToken}` });
    const bystander = start(url, { token: other.accessToken });
    await waitUntil(async () => subscriber.values.length > 0 && bystander.values.length > 0, CLOSE_BOUND_MS);
    expect(subscriber.values[0]).toBe('alice:0');
    await tokens.logout({ id: 'alice', sessionId: session.sessionId });
    await expect(within(subscriber.closed, CLOSE_BOUND_MS, 'close')).resolves.toEqual({ code: GRAPHQL_WS_REVOKED_CLOSE_CODE, reason: 'session-revoked' });
    const seen = bystander.values.length;
    await waitUntil(async () => bystander.values.length > seen, CLOSE_BOUND_MS); // the other session streams on
  });

  it('logout-all, a password change and logoutEveryone() close the connections', async () => {
    const all = start(url, { token: (await tokens.login('bob')).accessToken });
    await waitUntil(async () => all.values.length > 0, CLOSE_BOUND_MS);
    await tokens.logoutAll('bob');
    await expect(within(all.closed, CLOSE_BOUND_MS, 'close')).resolves.toMatchObject({ code: 4403, reason: 'session-revoked' });

    const kept = await tokens.login('bob');
    const keptSub = start(url, { token: kept.accessToken });
    await waitUntil(async () => keptSub.values.length > 0, CLOSE_BOUND_MS);
    await tokens.passwordChanged('bob', kept.sessionId);
    await expect(within(keptSub.closed, CLOSE_BOUND_MS, 'close')).resolves.toMatchObject({ code: 4403, reason: 'tokens-revoked' });

    const everyone = start(url, { token: (await tokens.login('alice')).accessToken });
    await waitUntil(async () => everyone.values.length > 0, CLOSE_BOUND_MS);
    await tokens.logoutEveryone();
    await expect(within(everyone.closed, CLOSE_BOUND_MS, 'close')).resolves.toMatchObject({ code: 4403, reason: 'everyone-revoked' });
  });

  it('verifies the token again at each subscribe, on a connection that stays open', async () => {
    const flaky = new FlakyVersionStore();
    flaky.addUser('alice');
    const { created, ws } = await listen(appWith({ tokenVersionStore: flaky }));
    try {
      const subscriber = subscribe(ws, { token: (await created.get(AuthTokenService).login('alice')).accessToken });
      await waitUntil(async () => subscriber.values.length > 0, CLOSE_BOUND_MS);
      const strict = (into: unknown[]) =>
        new Promise<void>((resolve) =>
          subscriber.client.subscribe<{ strictTicks: string }>(
            { query: 'subscription { strictTicks }' },
            {
              next: (result) => into.push(result.data?.strictTicks ?? result.errors),
              error: (error) => (into.push(error), resolve()),
              complete: () => resolve(),
            },
          ),
        );
      flaky.down = true;
      const refused: unknown[] = [];
      await within(strict(refused), CLOSE_BOUND_MS, 'refused subscribe');
      expect(JSON.stringify(refused)).toContain('Cannot confirm the token is still valid');
      flaky.down = false;
      const served: unknown[] = [];
      void strict(served);
      await waitUntil(async () => served.length > 0, CLOSE_BOUND_MS);
      expect(served[0]).toBe('alice:0');
      const seen = subscriber.values.length;
      await waitUntil(async () => subscriber.values.length > seen, CLOSE_BOUND_MS); // the first subscription never stopped
      await subscriber.client.dispose();
    } finally {
      await created.close();
    }
  });

  it('forgets a connection the client closed', async () => {
    const registry = app.get(LiveConnectionRegistry);
    const before = registry.countOf('alice');
    const subscriber = subscribe(url, { token: (await tokens.login('alice')).accessToken });
    await waitUntil(async () => subscriber.values.length > 0, CLOSE_BOUND_MS);
    expect(registry.countOf('alice')).toBe(before + 1);
    await subscriber.client.dispose();
    await waitUntil(async () => registry.countOf('alice') === before, CLOSE_BOUND_MS);
  });

  it('closes with 4403 `expired` when the token expires (the client reconnects with a fresh token)', async () => {
    const subscriber = start(shortUrl, { token: (await short.get(AuthTokenService).login('alice')).accessToken });
    await waitUntil(async () => subscriber.values.length > 0, CLOSE_BOUND_MS);
    await expect(within(subscriber.closed, 2000 + CLOSE_BOUND_MS, 'close at expiry')).resolves.toEqual({ code: 4403, reason: 'expired' });
  });
});
