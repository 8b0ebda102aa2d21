import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Ip,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Headers,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { Auth, AuthTokenService, CurrentUser, Public, type AuthenticatedUser, type TokenPair } from 'nestjs-jwt-revocation';
import { UsersService, type PublicUser } from '../users/users.service';
import { ChangePasswordDto, LoginDto, RegisterDto } from './dto/credentials.dto';
import { LogoutDto, RefreshDto } from './dto/refresh.dto';
import { FailedLoginLimiter, TooManyLoginAttemptsException } from './failed-login.limiter';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: AuthTokenService,
    private readonly limiter: FailedLoginLimiter,
  ) {}

  @Public()
  @Post('register')
  register(@Body() body: RegisterDto): Promise<PublicUser> {
    return this.users.register(body.email, body.password);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(
    @Body() body: LoginDto,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Res({ passthrough: true }) response: { header(name: string, value: string): unknown },
  ): Promise<TokenPair> {
    const account = body.email.trim().toLowerCase();
    try {
      this.limiter.assertAllowed(account);
    } catch (error) {
      if (error instanceof TooManyLoginAttemptsException) response.header('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
    const user = await this.users.checkCredentials(account, body.password);
    if (!user) {
      this.limiter.recordFailure(account);
      throw new UnauthorizedException('Invalid email or password');
    }
    return withoutSessionId(await this.tokens.login(user.id, { ip, userAgent }));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Body() body: RefreshDto): Promise<TokenPair> {
    return withoutSessionId(await this.tokens.refresh(body.refreshToken));
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentUser() user: AuthenticatedUser, @Body() _body: LogoutDto): Promise<void> {
    await this.tokens.logout(user);
  }

  @Post('logout-all')
  @HttpCode(204)
  async logoutAll(@CurrentUser('id') userId: string): Promise<void> {
    await this.tokens.logoutAll(userId);
  }

  @Auth({ strict: true })
  @Post('change-password')
  @HttpCode(200)
  async changePassword(@CurrentUser() user: AuthenticatedUser, @Body() body: ChangePasswordDto): Promise<TokenPair> {
    if (!(await this.users.changePassword(Number(user.id), body.currentPassword, body.newPassword))) {
      throw new UnauthorizedException('Current password is wrong');
    }
    const pair = await this.tokens.passwordChanged(user.id, user.sessionId);
    return withoutSessionId(pair ?? (await this.tokens.login(user.id)));
  }

  @Get('sessions')
  async sessions(@CurrentUser() user: AuthenticatedUser) {
    const sessions = await this.tokens.listSessions(user.id);
    return sessions.map((s) => ({
      id: s.id,
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
      userAgent: s.userAgent,
      ip: s.ip,
      current: s.id === user.sessionId,
    }));
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  async revokeSession(@CurrentUser('id') userId: string, @Param('id', new ParseUUIDPipe()) sessionId: string): Promise<void> {
    if (!(await this.tokens.revokeSession(userId, sessionId))) throw new NotFoundException('No such session');
  }
}

function withoutSessionId({ sessionId: _sessionId, ...pair }: TokenPair): TokenPair {
  return pair;
}
