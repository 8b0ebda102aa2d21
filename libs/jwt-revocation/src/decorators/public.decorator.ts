import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from '../jwt-revocation.constants';

/** Opens a route or a whole controller; on a handler it wins over the controller's `@Auth()`. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
