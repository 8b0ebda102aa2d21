import { SetMetadata } from '@nestjs/common';

export const ROLES_KEY = 'demo:roles';

/** The route needs one of these roles in the access token's `roles` claim. */
export const Roles = (...roles: string[]) => SetMetadata(ROLES_KEY, roles);
