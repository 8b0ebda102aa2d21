import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Ip,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import {
  Auth,
  AuthTokenService,
  BearerAuthException,
  ClearsRefreshCookie,
  CurrentUser,
  InvalidRefreshTokenException,
  Public,
  RefreshCookie,
  SetsRefreshCookie,
  writeAuthHeaders,
  type AuthenticatedUser,
  type TokenPair,
} from 'nestjs-jwt-revocation';
import { UsersService, type PublicUser } from '../users/users.service';
import { AuthAuditLog } from './auth-audit.log';
import { ChangePasswordDto, LoginDto, RegisterDto } from './dto/credentials.dto';
import { LogoutDto, RefreshDto } from './dto/refresh.dto';
import { CsrfAuditInterceptor } from './csrf-audit.interceptor';
import { PasswordAuthenticator } from './password-authenticator';

type HttpResponse = { header(name: string, value: string | string[]): unknown };

/**
 * In cookie mode (AUTH_COOKIE_MODE=true, the library's `cookies` option) the library's decorators
 * move refresh tokens between bodies and the HttpOnly cookie and run the CSRF checks; in body
 * mode they step aside.
 */
@Controller('auth')
@UseInterceptors(CsrfAuditInterceptor)
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: AuthTokenService,
    private readonly passwords: PasswordAuthenticator,
    private readonly audit: AuthAuditLog,
  ) {}

  @Public()
  @Post('register')
  register(@Body() body: RegisterDto): Promise<PublicUser> {
    return this.users.register(body.email, body.password);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @SetsRefreshCookie()
  async login(@Body() body: LoginDto, @Ip() ip: string, @Headers('user-agent') userAgent: string | undefined): Promise<TokenPair> {
    const user = await this.passwords.login(body.email, body.password, { ip, userAgent });
    return withoutSessionId(await this.tokens.login(user.id, { ip, userAgent }));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @SetsRefreshCookie()
  async refresh(
    @Body() body: RefreshDto,
    @RefreshCookie() fromCookie: string | undefined,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<TokenPair> {
    const refreshToken = fromCookie ?? body.refreshToken;
    if (!refreshToken) throw new BadRequestException(['refreshToken is required']);
    try {
      return withoutSessionId(await this.tokens.refresh(refreshToken));
    } catch (error) {
      if (error instanceof BearerAuthException) writeAuthHeaders(response, error);
      // The library does not say which check refused it (unknown, expired, revoked or replayed).
      if (error instanceof InvalidRefreshTokenException) this.audit.record('refresh', 'failure', 'invalid_grant', { ip, userAgent });
      throw error;
    }
  }

  @Post('logout')
  @HttpCode(204)
  @ClearsRefreshCookie()
  async logout(@CurrentUser() user: AuthenticatedUser, @Body() _body: LogoutDto): Promise<void> {
    await this.tokens.logout(user);
  }

  @Post('logout-all')
  @HttpCode(204)
  @ClearsRefreshCookie()
  async logoutAll(@CurrentUser('id') userId: string): Promise<void> {
    await this.tokens.logoutAll(userId);
  }

  @Auth({ strict: true })
  @Post('change-password')
  @HttpCode(200)
  @SetsRefreshCookie()
  async changePassword(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: ChangePasswordDto,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
  ): Promise<TokenPair> {
    await this.passwords.changePassword(Number(user.id), body.currentPassword, body.newPassword, { ip, userAgent });
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

/** The session id stays on the server side of the demo's answers (the access token carries it as `sid`). */
function withoutSessionId({ sessionId: _sessionId, ...pair }: TokenPair): TokenPair {
  return pair;
}
