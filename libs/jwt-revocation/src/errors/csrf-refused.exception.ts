import { ForbiddenException } from '@nestjs/common';

/** Why cookie mode refused a request: started by another site, or without the session's CSRF token. */
export type CsrfRefusal = 'cross-site' | 'csrf-token';

/** 403 for a cookie-authenticated or cookie-setting request that fails the CSRF checks; nothing has changed. */
export class CsrfRefusedException extends ForbiddenException {
  constructor(
    readonly refusal: CsrfRefusal,
    message: string,
  ) {
    super(message);
  }
}
