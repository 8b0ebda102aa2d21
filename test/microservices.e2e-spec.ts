import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, EventPattern, MessagePattern, Payload, Transport, type ClientProxy, type MicroserviceOptions } from '@nestjs/microservices';
import { randomBytes } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { Auth, AuthTokenService, CurrentUser, type AuthenticatedUser } from 'nestjs-jwt-revocation';
import { InMemoryTokenVersionStore, JwtRevocationTestingModule } from 'nestjs-jwt-revocation/testing';
import { testRedisUrl } from './support/databases';
import { freePort } from './support/free-port';
import { waitUntil } from './support/tcp-proxy';

/** A version store whose reads can be made to fail, to see the guard fail closed. */
class FlakyVersionStore extends InMemoryTokenVersionStore {
  failing = false;
  override async getVersion(userId: string): Promise<number | null> {
    if (this.failing) throw new Error('store down');
    return super.getVersion(userId);
  }
}

const prefix = `jwtrev-test-${randomBytes(4).toString('hex')}`;
const versions = new FlakyVersionStore();
versions.addUser('alice');
versions.addUser('bob');
const received: Array<{ user: AuthenticatedUser; data: unknown }> = [];

@Controller()
class OrdersController {
  @Auth()
  @MessagePattern(`${prefix}.orders.mine`)
  mine(@CurrentUser('id') id: string, @Payload() data: { orderId: number }): { owner: string; orderId: number } {
    return { owner: id, orderId: data.orderId };
  }

  @Auth({ strict: true })
  @MessagePattern(`${prefix}.orders.pay`)
  pay(@CurrentUser('id') id: string): string {
    return `paid:${id}`;
  }

  @Auth()
  @EventPattern(`${prefix}.orders.shipped`)
  shipped(@CurrentUser() user: AuthenticatedUser, @Payload() data: unknown): void {
    received.push({ user, data });
  }
}

@Module({
  imports: [JwtRevocationTestingModule.forRoot({ options: { tokenVersionStore: versions } })],
  controllers: [OrdersController],
})
class OrdersService {}

const redisUrl = testRedisUrl();
if (!redisUrl) console.warn('microservices over Redis skipped: set TEST_REDIS_URL (CI=true requires it)');

const transports: Array<{ name: string; options: () => Promise<MicroserviceOptions & { options: object }> }> = [
  { name: 'TCP', options: async () => ({ transport: Transport.TCP, options: { host: '127.0.0.1', port: await freePort() } }) },
  ...(redisUrl
    ? [{
        name: 'Redis',
        options: async () => {
          const { hostname, port } = new URL(redisUrl);
          return { transport: Transport.REDIS, options: { host: hostname, port: Number(port || 6379) } } as MicroserviceOptions & { options: object };
        },
      }]
    : []),
];

describe.each(transports)('@MessagePattern and @EventPattern handlers over $name', (transport) => {
  let service: INestApplication & { listen(): Promise<unknown> };
  let client: ClientProxy;
  let tokens: AuthTokenService;

  beforeAll(async () => {
    const options = await transport.options();
    service = (await NestFactory.createMicroservice(OrdersService, { ...options, logger: false })) as never;
    await service.listen();
    client = ClientProxyFactory.create(options as never) as unknown as ClientProxy;
    await client.connect();
    tokens = service.get(AuthTokenService);
  });

  afterAll(async () => {
    await client?.close();
    await service?.close();
  });

  const send = <T>(pattern: string, data: unknown) => firstValueFrom(client.send<T>(`${prefix}.${pattern}`, data));

  it('runs a handler for a valid token in the payload, with @CurrentUser()', async () => {
    const { accessToken } = await tokens.login('alice');
    await expect(send('orders.mine', { accessToken, orderId: 7 })).resolves.toEqual({ owner: 'alice', orderId: 7 });
  });

  it('refuses a missing, bad or revoked token with an RpcException { status: 401 }', async () => {
    await expect(send('orders.mine', { orderId: 7 })).rejects.toMatchObject({ status: 401, error: 'Unauthorized' });
    await expect(send('orders.mine', 'just a string')).rejects.toMatchObject({ status: 401 });
    await expect(send('orders.mine', { accessToken: 'a.b.c', orderId: 7 })).rejects.toMatchObject({ status: 401, error: 'invalid_token' });
    await expect(send('orders.mine', { accessToken: 42 })).rejects.toMatchObject({ status: 400, error: 'invalid_request' });
    const { accessToken } = await tokens.login('bob');
    await send('orders.mine', { accessToken, orderId: 1 });
    await tokens.logoutAll('bob');
    await expect(send('orders.mine', { accessToken, orderId: 1 })).rejects.toMatchObject({ status: 401, error: 'invalid_token' });
  });

  it('fails closed with 503 when the revocation state cannot be read', async () => {
    const { accessToken } = await tokens.login('alice');
    versions.failing = true;
    try {
      await expect(send('orders.pay', { accessToken })).rejects.toMatchObject({ status: 503, error: 'Service Unavailable', retryAfter: expect.any(Number) });
    } finally {
      versions.failing = false;
    }
    await expect(send('orders.pay', { accessToken })).resolves.toBe('paid:alice');
  });

  it('runs an event handler only for a valid token', async () => {
    received.length = 0;
    const { accessToken } = await tokens.login('alice');
    await firstValueFrom(client.emit(`${prefix}.orders.shipped`, { accessToken: 'a.b.c', orderId: 1 }), { defaultValue: undefined });
    await firstValueFrom(client.emit(`${prefix}.orders.shipped`, { accessToken, orderId: 2 }), { defaultValue: undefined });
    await waitUntil(async () => received.length > 0, 3000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the refused event, had it run, would be here by now
    expect(received).toHaveLength(1);
    expect(received[0].user.id).toBe('alice');
    expect(received[0].data).toMatchObject({ orderId: 2 });
  });
});
