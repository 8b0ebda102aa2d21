import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';
import { BearerAuthException } from './bearer-auth.exceptions';
import { writeAuthHeaders } from './auth-headers';

/**
 * Opt-in, not installed by the module (a global Nest interceptor costs every request of every route):
 * an app that applies it (`@UseInterceptors(AuthHeadersInterceptor)` or `APP_INTERCEPTOR`) gets the
 * headers a `BearerAuthException` carries (`Retry-After`, `WWW-Authenticate`) under any exception
 * filter, Nest's default one included. `BearerAuthExceptionFilter` is the cheaper, documented way.
 */
@Injectable()
export class AuthHeadersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (error instanceof BearerAuthException) writeAuthHeaders(context.switchToHttp().getResponse(), error);
        return throwError(() => error);
      }),
    );
  }
}
