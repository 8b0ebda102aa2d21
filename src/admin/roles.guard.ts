import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedUser } from 'nestjs-jwt-revocation';
import { ROLES_KEY } from './roles.decorator';

/** The claims the demo puts in access tokens (see jwt-revocation.config.ts). */
export interface DemoClaims {
  roles: string[];
}

/**
 * Decides from the verified token alone: the global JwtRevocationGuard has already checked it
 * (signature, version, session), and its `roles` claim says the rest. No database query.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const needed = this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!needed || needed.length === 0) return true;
    const user = context.switchToHttp().getRequest<{ user?: AuthenticatedUser<Partial<DemoClaims>> }>().user;
    const roles = user?.claims.roles;
    if (Array.isArray(roles) && needed.some((role) => roles.includes(role))) return true;
    throw new ForbiddenException('This needs the admin role');
  }
}
