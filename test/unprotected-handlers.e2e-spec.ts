import { Controller, Module, SetMetadata, UseGuards, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { Auth, JwtRevocationConfigError, JwtRevocationGuard, Public } from 'nestjs-jwt-revocation';
import { JwtRevocationTestingModule } from 'nestjs-jwt-revocation/testing';

// Nest applies neither APP_GUARD nor useGlobalGuards() to gateways, nor to microservice handlers
// unless the microservice inherits the app config: the module refuses to start rather than leave them open.

@WebSocketGateway()
class OpenGateway {
  @SubscribeMessage('whoami')
  whoAmI(): string {
    return 'anyone';
  }

  @Public()
  @SubscribeMessage('ping')
  ping(): string {
    return 'pong';
  }
}

@WebSocketGateway()
@Auth()
class ClassProtectedGateway {
  @SubscribeMessage('whoami')
  whoAmI(): string {
    return 'someone';
  }
}

@WebSocketGateway()
class HandlerProtectedGateway {
  @Auth()
  @SubscribeMessage('whoami')
  whoAmI(): string {
    return 'someone';
  }

  @Public()
  @SubscribeMessage('ping')
  ping(): string {
    return 'pong';
  }
}

// What @MessagePattern() and @EventPattern() of @nestjs/microservices 11 write on a handler.
const MessagePattern = (pattern: string) => SetMetadata('microservices:pattern', [pattern]);

@Controller()
class OrdersRpcController {
  @MessagePattern('orders.get')
  get(): string {
    return 'order';
  }
}

@Controller()
@Auth()
class ProtectedRpcController {
  @MessagePattern('orders.list')
  list(): string[] {
    return [];
  }
}

@Controller()
class PublicRpcController {
  @Public()
  @MessagePattern('health.ping')
  ping(): string {
    return 'pong';
  }
}

function appWith(globalGuard: boolean, providers: Type[], controllers: Type[] = []): Type {
  @Module({ imports: [JwtRevocationTestingModule.forRoot({ globalGuard })], providers, controllers })
  class App {}
  return App;
}

const adapters = [
  { name: 'express', create: () => new ExpressAdapter() },
  { name: 'fastify', create: () => new FastifyAdapter() },
];

describe.each(adapters)('handlers the global guard cannot reach, over $name', (adapter) => {
  async function start(app: Type): Promise<void> {
    const nest = await NestFactory.create(app, adapter.create(), { logger: false, abortOnError: false });
    try {
      await nest.init();
    } finally {
      await nest.close();
    }
  }

  it('refuses to start with a gateway handler that is neither @Auth() nor @Public(), naming it', async () => {
    const failure = start(appWith(true, [OpenGateway]));
    await expect(failure).rejects.toThrow(JwtRevocationConfigError);
    await expect(failure).rejects.toThrow(/OpenGateway\.whoAmI/);
    await expect(failure).rejects.toThrow(/@Auth\(\)/);
    await expect(failure).rejects.not.toThrow(/OpenGateway\.ping/);
  });

  it('starts when every gateway handler is protected (on the handler or the class) or @Public()', async () => {
    await expect(start(appWith(true, [ClassProtectedGateway, HandlerProtectedGateway]))).resolves.toBeUndefined();
  });

  it('refuses to start with a microservice handler that is neither @Auth() nor @Public(), naming it', async () => {
    const failure = start(appWith(true, [], [OrdersRpcController, PublicRpcController, ProtectedRpcController]));
    await expect(failure).rejects.toThrow(/OrdersRpcController\.get/);
    await expect(failure).rejects.toThrow(/@Auth\(\)/);
    await expect(failure).rejects.not.toThrow(/PublicRpcController|ProtectedRpcController/);
    await expect(start(appWith(true, [], [PublicRpcController, ProtectedRpcController]))).resolves.toBeUndefined();
  });

  it('leaves the choice to the app with globalGuard: false, as it does for routes', async () => {
    await expect(start(appWith(false, [OpenGateway], [OrdersRpcController]))).resolves.toBeUndefined();
  });

  it('counts a subclass of JwtRevocationGuard as protection', async () => {
    class AuditedGuard extends JwtRevocationGuard {}
    @WebSocketGateway()
    class SubclassGateway {
      @UseGuards(AuditedGuard)
      @SubscribeMessage('x')
      x(): string {
        return 'x';
      }
    }
    await expect(start(appWith(true, [SubclassGateway, AuditedGuard]))).resolves.toBeUndefined();
  });
});
