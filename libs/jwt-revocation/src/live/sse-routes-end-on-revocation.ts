import { Injectable } from '@nestjs/common';
import { INTERCEPTORS_METADATA, SSE_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { SseLiveConnectionInterceptor } from './sse-live-connection.interceptor';

/**
 * Puts the `SseLiveConnectionInterceptor` on each `@Sse()` handler of the app's controllers, and on
 * nothing else: a global interceptor would cost every request of every route. Runs while providers
 * are constructed, before `app.init()` registers the routes (which is when Nest reads a handler's
 * interceptors). The instance is added, not the class: a class added after Nest's scan could not be
 * resolved in the controller's module. A handler already bound by an earlier app in the same process
 * (tests) gets this app's interceptor in place of the earlier one; the earlier app's routes keep theirs.
 */
@Injectable()
export class SseRoutesEndOnRevocation {
  constructor(modules: ModulesContainer, interceptor: SseLiveConnectionInterceptor) {
    const scanner = new MetadataScanner();
    for (const module of modules.values()) {
      for (const wrapper of module.controllers.values()) {
        const prototype = (wrapper.metatype as { prototype?: object } | undefined)?.prototype;
        if (!prototype) continue;
        for (const name of scanner.getAllMethodNames(prototype)) {
          const handler = (prototype as Record<string, unknown>)[name];
          if (typeof handler === 'function' && Reflect.getMetadata(SSE_METADATA, handler) === true) bind(handler, interceptor);
        }
      }
    }
  }
}

function bind(handler: object, interceptor: SseLiveConnectionInterceptor): void {
  const current = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? [];
  const others = current.filter((entry) => !(entry instanceof SseLiveConnectionInterceptor));
  Reflect.defineMetadata(INTERCEPTORS_METADATA, [...others, interceptor], handler);
}
