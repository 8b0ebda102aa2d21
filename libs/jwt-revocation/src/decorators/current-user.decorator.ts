import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedUser } from '../access-tokens/authenticated-user';
import { requestOf } from '../guard/request-context';

/** Injects the authenticated user, or one of its fields: `@CurrentUser('id')`. */
export const CurrentUser = createParamDecorator((field: keyof AuthenticatedUser | undefined, context: ExecutionContext) => {
  const user = requestOf(context)?.user as AuthenticatedUser | undefined;
  return field ? user?.[field] : user;
});
