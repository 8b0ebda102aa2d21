import { ConfigurableModuleBuilder } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import type { JwtRevocationModuleOptions } from './options/jwt-revocation-options.interface';
import { JwtRevocationGuard } from './guard/jwt-revocation.guard';
import { UnprotectedHandlersCheck } from './guard/unprotected-handlers.check';

/** Options that shape the module itself, given beside the others in forRoot and forRootAsync. */
export interface JwtRevocationModuleExtras {
  /**
   * Install `JwtRevocationGuard` as `APP_GUARD`, so every route not marked `@Public()` is protected,
   * and refuse to start while a WebSocket or microservice handler it cannot reach is neither
   * `@Auth()` nor `@Public()`. Default true.
   */
  globalGuard?: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurableJwtRevocationModule,
  MODULE_OPTIONS_TOKEN: JWT_REVOCATION_MODULE_OPTIONS,
  OPTIONS_TYPE: JWT_REVOCATION_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: JWT_REVOCATION_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<JwtRevocationModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createJwtRevocationOptions')
  .setExtras<JwtRevocationModuleExtras>({ globalGuard: true }, (definition, extras) =>
    extras.globalGuard === false
      ? definition
      : {
          ...definition,
          // With the global guard, handlers it cannot reach (gateways, microservices) stop the startup.
          imports: [...(definition.imports ?? []), DiscoveryModule],
          providers: [...(definition.providers ?? []), { provide: APP_GUARD, useExisting: JwtRevocationGuard }, UnprotectedHandlersCheck],
        },
  )
  .build();
