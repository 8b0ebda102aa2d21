// An app written like the NestJS docs' JWT recipe: JwtModule from @nestjs/jwt, a guard that
// verifies the bearer token with JwtService, and no way to take a token back.
import {
  Body, Controller, Get, HttpCode, Injectable, Module, Post, Request, SetMetadata, UnauthorizedException,
  type CanActivate, type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { JwtModule, JwtService } from '@nestjs/jwt';

export const RECIPE_SECRET = 'the-secret-the-recipe-app-signed-with-0123';

export const IS_PUBLIC = 'recipe:public';
export const OpenRoute = () => SetMetadata(IS_PUBLIC, true);

@Injectable()
export class UsersService {
  private readonly users = [
    { userId: 1, username: 'john', password: 'changeme' },
    { userId: 2, username: 'maria', password: 'guess' },
  ];

  async findOne(username: string) {
    return this.users.find((user) => user.username === username);
  }
}

@Injectable()
export class RecipeAuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
  ) {}

  async signIn(username: string, password: string): Promise<{ access_token: string }> {
    const user = await this.users.findOne(username);
    if (user?.password !== password) throw new UnauthorizedException();
    return { access_token: await this.jwt.signAsync({ sub: user.userId, username: user.username }) };
  }
}

/** The recipe's guard: any token JwtService verifies is accepted until it expires. */
@Injectable()
export class RecipeAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
    const [type, token] = request.headers.authorization?.split(' ') ?? [];
    if (type !== 'Bearer' || !token) throw new UnauthorizedException();
    try {
      request.user = await this.jwt.verifyAsync(token);
    } catch {
      throw new UnauthorizedException();
    }
    return true;
  }
}

@Controller('auth')
export class RecipeAuthController {
  constructor(private readonly auth: RecipeAuthService) {}

  @OpenRoute()
  @HttpCode(200)
  @Post('login')
  signIn(@Body() body: { username: string; password: string }) {
    return this.auth.signIn(body.username, body.password);
  }

  @Get('profile')
  profile(@Request() request: { user: unknown }) {
    return request.user;
  }
}

@Module({
  imports: [JwtModule.register({ global: true, secret: RECIPE_SECRET, signOptions: { expiresIn: '60s' } })],
  controllers: [RecipeAuthController],
  providers: [UsersService, RecipeAuthService, { provide: APP_GUARD, useClass: RecipeAuthGuard }],
})
export class RecipeAppModule {}
