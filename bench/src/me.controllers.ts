import { Controller, Get, Request, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { CurrentUser, type AuthenticatedUser } from 'nestjs-jwt-revocation';

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
    return this.user;
  }
}

/** (b) The NestJS docs' recipe, verbatim in shape: `AuthGuard('jwt')` on the route, `req.user` back. */
@Controller('me')
export class PassportMeController {
  @UseGuards(AuthGuard('jwt'))
  @Get()
  getProfile(@Request() req: { user: unknown }): unknown {
    return req.user;
  }
}

/** (c)-(e) This library: its global guard protects the route, `@CurrentUser()` injects the user. */
@Controller('me')
export class MeController {
  @Get()
  me(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }
}
