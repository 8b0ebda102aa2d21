import { Injectable, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { IS_PUBLIC_KEY } from '../jwt-revocation.constants';
import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';
import { JwtRevocationGuard } from './jwt-revocation.guard';

// Metadata written by @WebSocketGateway/@SubscribeMessage and @MessagePattern/@EventPattern; read
// by name so the core needs neither @nestjs/websockets nor @nestjs/microservices.
const GATEWAY = 'websockets:is_gateway';
const MESSAGE_HANDLER = 'websockets:message_mapping';
const RPC_PATTERN = 'microservices:pattern';
/** Where @UseGuards() keeps its guards (GUARDS_METADATA of @nestjs/common). */
const GUARDS_METADATA = '__guards__';

type Handler = (...args: unknown[]) => unknown;

/**
 * Deny by default where the global guard cannot reach. Nest applies `APP_GUARD` to neither
 * `@SubscribeMessage` handlers nor (unless the microservice inherits the app config) to
 * `@MessagePattern`/`@EventPattern` ones, so such a handler without `@Auth()` (or a
 * `JwtRevocationGuard` in `@UseGuards()`) or `@Public()` would run for anyone.
 * Installed with the global guard; the app then refuses to start and names every such handler.
 * A startup error rather than adding the guard behind the app's back: it cannot silently stop
 * working when Nest changes the order in which it wires gateways, and the fix is one decorator.
 */
@Injectable()
export class UnprotectedHandlersCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const gateways = this.handlersOf(this.discovery.getProviders(), (type) => Reflect.getMetadata(GATEWAY, type) === true, MESSAGE_HANDLER)
      .filter(({ type, handler }) => !this.isPublic(type, handler) && !this.isGuarded(type, handler));
    const rpc = this.handlersOf(this.discovery.getControllers(), () => true, RPC_PATTERN).filter(
      ({ type, handler }) => !this.isPublic(type, handler) && !this.isGuarded(type, handler),
    );
    const problems = [
      ...(gateways.length > 0
        ? [`WebSocket handlers ${names(gateways)} are not protected (Nest does not apply global guards to gateways): add @Auth() to each handler or to its gateway class, or @Public() to open it`]
        : []),
      ...(rpc.length > 0
        ? [
            `microservice handlers ${names(rpc)} are not protected (the global guard reaches them only when the microservice inherits the app config): ` +
              `add @Auth() to each handler or to its controller (the token travels in the payload's \`accessToken\` field or an authorization header), or @Public() to open it`,
          ]
        : []),
    ];
    if (problems.length > 0) {
      throw new JwtRevocationConfigError(problems.join('; '), 'Or set globalGuard: false to protect handlers yourself, route by route.');
    }
  }

  private handlersOf(wrappers: Array<{ metatype: unknown }>, isCandidate: (type: Type) => boolean, marker: string) {
    const found: Array<{ type: Type; name: string; handler: Handler }> = [];
    for (const { metatype } of wrappers) {
      const type = metatype as Type | undefined;
      if (typeof type !== 'function' || !type.prototype || !isCandidate(type)) continue;
      for (const name of this.scanner.getAllMethodNames(type.prototype)) {
        const handler = type.prototype[name] as Handler;
        if (Reflect.getMetadata(marker, handler) !== undefined) found.push({ type, name, handler });
      }
    }
    return found;
  }

  private isPublic(type: Type, handler: Handler): boolean {
    return this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, type]) === true;
  }

  private isGuarded(type: Type, handler: Handler): boolean {
    const guards = [...(Reflect.getMetadata(GUARDS_METADATA, handler) ?? []), ...(Reflect.getMetadata(GUARDS_METADATA, type) ?? [])] as unknown[];
    return guards.some(
      (guard) => guard instanceof JwtRevocationGuard || (typeof guard === 'function' && (guard === JwtRevocationGuard || guard.prototype instanceof JwtRevocationGuard)),
    );
  }
}

const names = (handlers: Array<{ type: Type; name: string }>) => handlers.map(({ type, name }) => `${type.name}.${name}`).join(', ');
