import { Controller, Get, Injectable, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ExpressAdapter } from '@nestjs/platform-express';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import { Auth, AuthTokenService, CurrentUser, Public, type RevocationEvent } from 'nestjs-jwt-revocation';
import { InMemoryTokenVersionStore, JwtRevocationTestingModule } from 'nestjs-jwt-revocation/testing';

@Injectable()
class AuditLog {
  readonly events: RevocationEvent[] = [];
  @OnEvent('jwt-revocation.*')
  record(event: RevocationEvent): void {
    this.events.push(event);
  }
}

@Controller()
class ProfileController {
  @Get('profile')
  profile(@CurrentUser('id') id: string) {
    return { id };
  }

  @Public()
  @Get('open')
  open() {
    return { open: true };
  }

  @Auth({ strict: true })
  @Post('pay')
  pay(@CurrentUser('id') id: string) {
    return { paid: id };
  }
}

@Resolver()
class ProfileResolver {
  @Query(() => String)
  whoAmI(@CurrentUser('id') id: string): string {
    return id;
  }

  @Public()
  @Query(() => String)
  ping(): string {
    return 'pong';
  }
}

@WebSocketGateway({ cors: false })
class ChatGateway {
  @Auth()
  @SubscribeMessage('whoami')
  whoAmI(@CurrentUser('id') id: string): string {
    return id;
  }
}

@Module({
  imports: [
    EventEmitterModule.forRoot({ wildcard: true }),
    JwtRevocationTestingModule.forRoot({ users: ['alice', 'bob'], options: { sessions: { reuseGraceMs: 0 } } }),
    GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, context: ({ req }: { req: unknown }) => ({ req }) }),
  ],
  controllers: [ProfileController],
  providers: [AuditLog, ProfileResolver, ChatGateway],
})
class TransportsApp {}

const adapters = [
  { name: 'express', create: () => new ExpressAdapter() },
  { name: 'fastify', create: () => new FastifyAdapter() },
];

describe.each(adapters)('GraphQL, WebSockets, events and OpenAPI over $name', (adapter) => {
  let app: INestApplication;
  let tokens: AuthTokenService;
  let audit: AuditLog;
  let baseUrl: string;

  beforeAll(async () => {
    app = await NestFactory.create(TransportsApp, adapter.create(), { logger: ['error'], abortOnError: false });
    SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, new DocumentBuilder().addBearerAuth().build()), { ui: false, jsonDocumentUrl: 'docs-json' });
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    tokens = app.get(AuthTokenService);
    audit = app.get(AuditLog);
  });

  afterAll(async () => {
    await app?.close();
  });

  const http = () => request(baseUrl);
  const gql = (query: string, token?: string) => {
    const req = http().post('/graphql').send({ query });
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };

  it('the testing module issues tokens without a database and revokes them', async () => {
    const { accessToken } = await tokens.login('alice');
    await http().get('/profile').set('Authorization', `Bearer ${accessToken}`).expect(200, { id: 'alice' });
    await tokens.logoutAll('alice');
    const res = await http().get('/profile').set('Authorization', `Bearer ${accessToken}`).expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    await http().get('/profile').expect(401).expect('WWW-Authenticate', 'Bearer');
    await http().get('/open').expect(200);
    app.get(InMemoryTokenVersionStore).addUser('carol');
    const carol = await tokens.login('carol');
    await http().post('/pay').set('Authorization', `Bearer ${carol.accessToken}`).expect(201, { paid: 'carol' });
  });

  it('delivers typed revocation events, without tokens, to @OnEvent listeners', async () => {
    audit.events.length = 0;
    const first = await tokens.login('bob');
    const second = await tokens.login('bob');
    await tokens.logout({ id: 'bob', sessionId: first.sessionId });
    await tokens.revokeSession('bob', second.sessionId!);
    const third = await tokens.login('bob');
    const rotated = await tokens.refresh(third.refreshToken);
    await expect(tokens.refresh(third.refreshToken)).rejects.toThrow();
    await tokens.passwordChanged('bob');
    await tokens.logoutAll('bob');
    expect(audit.events.map((e) => e.type)).toEqual(['logout', 'session-revoked', 'refresh-reuse-detected', 'password-changed', 'logout-all']);
    expect(audit.events[0]).toEqual({ type: 'logout', userId: 'bob', sessionIds: [first.sessionId], at: expect.any(Number) });
    const serialized = JSON.stringify(audit.events);
    for (const secret of [first.accessToken, first.refreshToken, rotated.refreshToken, third.refreshToken]) {
      expect(serialized).not.toContain(secret!);
    }
  });

  it('guards GraphQL resolvers: @Public(), @CurrentUser() and a revoked token refused', async () => {
    app.get(InMemoryTokenVersionStore).addUser('gql-user');
    const { accessToken } = await tokens.login('gql-user');
    expect((await gql('{ ping }').expect(200)).body.data).toEqual({ ping: 'pong' });
    expect((await gql('{ whoAmI }', accessToken).expect(200)).body.data).toEqual({ whoAmI: 'gql-user' });
    await tokens.logoutAll('gql-user');
    const refused = await gql('{ whoAmI }', accessToken);
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors[0].message).toMatch(/invalid, expired or revoked/);
    const anonymous = await gql('{ whoAmI }');
    expect(anonymous.body.errors[0].message).toMatch(/Authentication required/);
  });

  it('authenticates WebSocket messages and refuses one sent after the token was revoked', async () => {
    app.get(InMemoryTokenVersionStore).addUser('ws-user');
    const { accessToken } = await tokens.login('ws-user');
    const socket: Socket = io(baseUrl, { transports: ['websocket'], auth: { token: accessToken }, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.on('connect', resolve);
        socket.on('connect_error', reject);
      });
      expect(await socket.timeout(2000).emitWithAck('whoami', {})).toBe('ws-user');
      await tokens.logoutAll('ws-user');
      const refusal = new Promise((resolve) => socket.once('exception', resolve));
      socket.emit('whoami', {});
      expect(await refusal).toEqual(expect.objectContaining({ status: 401, error: 'invalid_token' }));
    } finally {
      socket.disconnect();
    }
  });

  it('documents @Auth() routes with the bearer scheme and a 401 in the OpenAPI document', async () => {
    const doc = (await http().get('/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.paths['/pay'].post.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/pay'].post.responses['401']).toBeDefined();
  });
});
