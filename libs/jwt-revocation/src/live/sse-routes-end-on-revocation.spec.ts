import { Controller, Get, Sse } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { Module as NestModuleRef } from '@nestjs/core/injector/module';
import { SseLiveConnectionInterceptor } from './sse-live-connection.interceptor';
import { SseRoutesEndOnRevocation } from './sse-routes-end-on-revocation';
import type { LiveConnectionRegistry } from './live-connection.registry';

@Controller()
class StreamsController {
  @Sse('events') events() {}
  @Get('plain') plain() {}
}

function containerWith(controller: object): ModulesContainer {
  const modules = new ModulesContainer();
  modules.set('m', { controllers: new Map([[controller, { metatype: controller }]]) } as unknown as NestModuleRef);
  return modules;
}

const interceptorsOf = (handler: object) => Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined;

describe('SseRoutesEndOnRevocation', () => {
  it('binds the interceptor instance to @Sse() handlers only, and a later app replaces an earlier one', () => {
    const first = new SseLiveConnectionInterceptor({} as LiveConnectionRegistry);
    new SseRoutesEndOnRevocation(containerWith(StreamsController), first);
    expect(interceptorsOf(StreamsController.prototype.events)).toEqual([first]);
    expect(interceptorsOf(StreamsController.prototype.plain)).toBeUndefined();

    const second = new SseLiveConnectionInterceptor({} as LiveConnectionRegistry);
    new SseRoutesEndOnRevocation(containerWith(StreamsController), second);
    const bound = interceptorsOf(StreamsController.prototype.events)!;
    expect(bound).toHaveLength(1);
    expect(bound[0]).toBe(second);
  });
});
