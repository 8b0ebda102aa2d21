import { applyDecorators, Header } from '@nestjs/common';
import { NO_STORE_HEADERS } from '../responses/no-store-headers';

/**
 * `Cache-Control: no-store` and `Pragma: no-cache` on a route's responses. Bodies carrying an
 * `accessToken`/`refreshToken` get them without it; use it for routes that hand out tokens otherwise.
 */
export const NoStore = () => applyDecorators(...Object.entries(NO_STORE_HEADERS).map(([name, value]) => Header(name, value)));
