import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { carriesToken, writeNoStoreHeaders } from './no-store-headers';

/**
 * Opt-in, not installed by the module: it already marks token responses no-store at no per-request
 * Nest cost (`NoStoreTokenResponses`, a platform hook). Kept for apps on another HTTP adapter: a
 * response whose body carries an access or refresh token gets `Cache-Control: no-store` and
 * `Pragma: no-cache`. Routes that hand out tokens another way (only in a cookie, or with `@Res()`) use `@NoStore()`.
 */
@Injectable()
export class TokenResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    return next.handle().pipe(
      tap((body) => {
        if (carriesToken(body)) writeNoStoreHeaders(context.switchToHttp().getResponse());
      }),
    );
  }
}
