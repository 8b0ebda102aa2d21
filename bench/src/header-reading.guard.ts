import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';

/**
 * (a') The floor of any guard-based authentication in Nest: a global guard that reads the
 * Authorization header, keeps it on the request as a real guard would keep what it found, and
 * lets every request through.
 */
@Injectable()
export class HeaderReadingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; bearer?: string }>();
    request.bearer = request.headers.authorization;
    return true;
  }
}
