import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';
import { BearerAuthException } from './bearer-auth.exceptions';
import { writeAuthHeaders } from './auth-headers';

/**
 * Installed by the module for every HTTP route: a `BearerAuthException` thrown by a handler (a 503
 * from `tokens.logoutAll()` while the store is down, a 401 from `tokens.refresh()`) leaves with the
 * headers it carries (`Retry-After`, `WWW-Authenticate`) whatever exception filter answers it,
 * Nest's default one included, which writes no headers of its own.
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
