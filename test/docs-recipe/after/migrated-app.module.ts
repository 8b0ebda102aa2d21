// The recipe app after "Migrating from the NestJS docs recipe" (README): JwtRevocationModule
// takes the JwtModule options, AuthTokenService issues and revokes, the library's global guard
// protects every route, and the recipe's guard stays on one route for tokens issued before the
// switch, verifying with the OLD secret only, so it can never accept a library token.
import { Body, Controller, Get, HttpCode, Injectable, Module, Post, UnauthorizedException, UseGuards, type DynamicModule } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import {
  AuthTokenService, CurrentUser, InMemorySessionStore, InMemoryTokenVersionStore, JwtRevocationModule, Public,
  type AuthenticatedUser, type TokenPair,
} from 'nestjs-jwt-revocation';
import { RECIPE_SECRET, RecipeAuthGuard, UsersService } from '../before/recipe-app.module';

/** A new secret: tokens of the library and of the recipe can never stand in for each other. */
export const LIBRARY_SECRET = 'a-new-secret-for-the-library-tokens-4567';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: AuthTokenService,
  ) {}

  async signIn(username: string, password: string): Promise<TokenPair> {
    const user = await this.users.findOne(username);
    if (user?.password !== password) throw new UnauthorizedException();
    return this.tokens.login(user.userId, { claims: { username: user.username } });
  }
}

/** The recipe's guard, kept for tokens issued before the switch: it verifies with the old secret only. */
@Injectable()
export class LegacyTokenGuard extends RecipeAuthGuard {
  constructor(reflector: Reflector) {
    super(new JwtService({ secret: RECIPE_SECRET }), reflector);
  }
}

@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: AuthTokenService,
  ) {}

  @Public()
  @HttpCode(200)
  @Post('login')
  signIn(@Body() body: { username: string; password: string }) {
    return this.auth.signIn(body.username, body.password);
  }

  @Public()
  @HttpCode(200)
  @Post('refresh')
  refresh(@Body('refreshToken') refreshToken: string) {
    return this.tokens.refresh(refreshToken);
  }

  @HttpCode(204)
  @Post('logout-all')
  async logoutAll(@CurrentUser('id') userId: string) {
    await this.tokens.logoutAll(userId);
  }

  @Get('profile')
  profile(@CurrentUser() user: AuthenticatedUser<{ username: string }>) {
    return { sub: user.id, username: user.claims.username };
  }

  /** Until the old tokens have expired: clients that still hold one keep this route. */
  @Public()
  @UseGuards(LegacyTokenGuard)
  @Get('legacy-profile')
  legacyProfile(@CurrentUser() user: unknown) {
    return user;
  }
}

@Module({})
export class MigratedAppModule {
  /** `secret` is for the test that shows why the library must not reuse the recipe's secret. */
  static create(secret = LIBRARY_SECRET): DynamicModule {
    const versions = new InMemoryTokenVersionStore();
    for (const id of [1, 2]) versions.addUser(id);
    return {
      module: MigratedAppModule,
      imports: [
        JwtRevocationModule.forRoot({
          // The recipe's JwtModule options, as they were, but a new secret (and issuer/audience).
          jwt: { secret, signOptions: { expiresIn: '15m', issuer: 'https://auth.example.com', audience: 'api' } },
          tokenVersionStore: versions,
          sessionStore: new InMemorySessionStore(),
        }),
      ],
      controllers: [AuthController],
      providers: [UsersService, AuthService, LegacyTokenGuard],
    };
  }
}
