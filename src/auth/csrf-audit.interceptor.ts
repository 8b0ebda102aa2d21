import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { CsrfRefusedException, type AuthenticatedUser } from 'nestjs-jwt-revocation';
import { catchError, throwError, type Observable } from 'rxjs';
import { AuthAuditLog } from './auth-audit.log';

type AuditedRequest = { ip?: string; headers: Record<string, string | string[] | undefined>; user?: AuthenticatedUser };

/**
 * One audit line for every request cookie mode refuses (the library's checks run in its own
 * interceptor and pipe, inside this one): a CSRF refusal is what an attack in progress looks like.
 */
@Injectable()
export class CsrfAuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuthAuditLog) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (error instanceof CsrfRefusedException) {
          const request = context.switchToHttp().getRequest<AuditedRequest>();
          const userAgent = request.headers['user-agent'];
          this.audit.record('csrf', 'refused', error.refusal === 'cross-site' ? 'cross_site_request' : 'csrf_check_failed', {
            ip: request.ip,
            userAgent: typeof userAgent === 'string' ? userAgent : undefined,
            userId: request.user?.id,
          });
        }
        return throwError(() => error);
      }),
    );
  }
}
