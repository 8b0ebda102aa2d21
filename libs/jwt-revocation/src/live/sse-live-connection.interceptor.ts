import { Injectable, type CallHandler, type ExecutionContext, type MessageEvent, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import { requestOf } from '../guard/request-context';
import { LiveConnectionRegistry } from './live-connection.registry';

/** What @Sse() writes on its handler (SSE_METADATA of @nestjs/common). */
const SSE_METADATA = '__sse__';
/** The last event of a stream the server ends on revocation or expiry: `data` is `{ reason }`. */
export const SSE_REVOKED_EVENT = 'revoked';

/**
 * Ends an `@Sse()` stream opened with a token when that token's session or user is revoked, on any
 * instance, or when it expires: the client receives a last `revoked` event with `{ reason }`, then
 * the response ends. Put by the module on every `@Sse()` handler (not
 * globally: see `SseRoutesEndOnRevocation`); routes without a user (`@Public()`) pass through.
 */
@Injectable()
export class SseLiveConnectionInterceptor implements NestInterceptor {
  constructor(private readonly registry: LiveConnectionRegistry) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const user = context.getType() === 'http' && Reflect.getMetadata(SSE_METADATA, context.getHandler()) === true
      ? (requestOf(context)?.user as AuthenticatedUser | undefined)
      : undefined;
    if (!user?.id) return next.handle();
    return new Observable<unknown>((subscriber) => {
      const connection = this.registry.register(user, (reason) => {
        subscriber.next({ type: SSE_REVOKED_EVENT, data: { reason } } satisfies MessageEvent);
        subscriber.complete();
      });
      const subscription = next.handle().subscribe({
        next: (event) => subscriber.next(event),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        connection.unregister();
        subscription.unsubscribe();
      };
    });
  }
}
