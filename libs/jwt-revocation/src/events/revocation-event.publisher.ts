import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { RESOLVED_OPTIONS } from '../jwt-revocation.constants';
import type { ResolvedOptions } from '../options/resolved-options';
import { loadOptionalPeer } from '../optional-peers/load-optional-peer';
import type { RevocationEvent } from './revocation-event';

/** Event names on @nestjs/event-emitter: `jwt-revocation.logout`, `jwt-revocation.refresh-reuse-detected`, ... */
export const REVOCATION_EVENT_PREFIX = 'jwt-revocation.';

type Emitter = { emitAsync(event: string, payload: unknown): Promise<unknown[]> };

/**
 * Delivers revocation events to the `onRevocation` hook and, when the app has
 * @nestjs/event-emitter's EventEmitterModule, to `@OnEvent('jwt-revocation.*')` listeners.
 * A failing listener is logged and never undoes or fails the revocation.
 */
@Injectable()
export class RevocationEventPublisher implements OnModuleInit {
  private readonly logger = new Logger('JwtRevocation');
  private emitter: Emitter | undefined;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    const eventEmitter = loadOptionalPeer<{ EventEmitter2: unknown }>('@nestjs/event-emitter');
    if (!eventEmitter) return; // optional integration not installed
    try {
      this.emitter = this.moduleRef.get(eventEmitter.EventEmitter2 as never, { strict: false }) as Emitter;
    } catch {
      this.emitter = undefined; // installed but EventEmitterModule not imported
    }
  }

  async publish(event: RevocationEvent): Promise<void> {
    try {
      await this.options.onRevocation?.(event);
      await this.emitter?.emitAsync(REVOCATION_EVENT_PREFIX + event.type, event);
    } catch {
      this.logger.warn(`A listener of the ${event.type} event failed`);
    }
  }
}
