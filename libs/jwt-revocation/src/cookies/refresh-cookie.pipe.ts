import { Injectable, type PipeTransform } from '@nestjs/common';
import { RefreshCookieService, type CookieRequest } from './refresh-cookie.service';

/** `@RefreshCookie()`'s checks: the request's headers in, the refresh token out (or a 400/403). */
@Injectable()
export class RefreshCookiePipe implements PipeTransform<CookieRequest, string | undefined> {
  constructor(private readonly cookies: RefreshCookieService) {}

  transform(request: CookieRequest): string | undefined {
    return this.cookies.readRefreshToken(request);
  }
}
