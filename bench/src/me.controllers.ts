import { Controller, Get, Request, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { CurrentUser, type AuthenticatedUser } from 'nestjs-jwt-revocation';

/** Responses each scenario's `GET /me` handler produced: the bench divides its server-side counters by this. */
export const served = { count: 0 };

/** (a) The baseline: the same route with no authentication at all, answering a fixed user. */
@Controller('me')
export class NoAuthMeController {
  private readonly user: AuthenticatedUser = {
    id: '1',
    sessionId: undefined,
    tokenVersion: 0,
    tokenId: 'a5b2c9d4-3f1e-4b7a-9c8d-0e1f2a3b4c5d',
    issuedAt: 1_700_000_000,
    expiresAt: 1_700_000_900,
    claims: {},
  };

  @Get()
  me(): AuthenticatedUser {
    served.count++;
    return this.user;
  }
}

/** (b) The NestJS docs' recipe, verbatim in shape: `AuthGuard('jwt')` on the route, `req.user` back. */
@Controller('me')
export class PassportMeController {
  @UseGuards(AuthGuard('jwt'))
  @Get()
  getProfile(@Request() req: { user: unknown }): unknown {
    served.count++;
    return req.user;
  }
}

/** (c)-(e) This library: its global guard protects the route, `@CurrentUser()` injects the user. */
@Controller('me')
export class MeController {
  @Get()
  me(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    served.count++;
    return user;
  }
}
