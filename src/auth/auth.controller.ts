import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  Headers,
  HttpCode,
  Ip,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  Auth,
  AuthTokenService,
  BearerAuthException,
  CurrentUser,
  InvalidRefreshTokenException,
  Public,
  writeAuthHeaders,
  type AuthenticatedUser,
  type TokenPair,
} from 'nestjs-jwt-revocation';
import type { AppEnv } from '../config';
import { UsersService, type PublicUser } from '../users/users.service';
import { AuthAuditLog } from './auth-audit.log';
import { ChangePasswordDto, LoginDto, RegisterDto } from './dto/credentials.dto';
import { LogoutDto, RefreshDto } from './dto/refresh.dto';
import { PasswordAuthenticator, type ClientInfo } from './password-authenticator';
import { RefreshCookie } from './refresh-cookie';

type HttpRequest = { headers: Record<string, string | string[] | undefined> };
type HttpResponse = { header(name: string, value: string | string[]): unknown };

@Controller('auth')
export class AuthController {
  /** Refresh token in an HttpOnly cookie (AUTH_COOKIE_MODE=true) instead of the body. */
  private readonly cookieMode: boolean;

  constructor(
    private readonly users: UsersService,
    private readonly tokens: AuthTokenService,
    private readonly passwords: PasswordAuthenticator,
    private readonly cookie: RefreshCookie,
    private readonly audit: AuthAuditLog,
    config: ConfigService<AppEnv, true>,
  ) {
    this.cookieMode = config.get('app.cookieMode', { infer: true });
  }

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
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<TokenPair> {
    const user = await this.passwords.login(body.email, body.password, { ip, userAgent });
    return this.deliver(await this.tokens.login(user.id, { ip, userAgent }), response);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  async refresh(
    @Body() body: RefreshDto,
    @Req() request: HttpRequest,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<TokenPair> {
    const refreshToken = this.cookieMode ? this.checkCsrf(() => this.cookie.read(request), { ip, userAgent }) : body.refreshToken;
    if (!refreshToken) throw new BadRequestException(['refreshToken is required']);
    try {
      return this.deliver(await this.tokens.refresh(refreshToken), response);
    } catch (error) {
      if (error instanceof BearerAuthException) writeAuthHeaders(response, error);
      // The library does not say which check refused it (unknown, expired, revoked or replayed).
      if (error instanceof InvalidRefreshTokenException) this.audit.record('refresh', 'failure', 'invalid_grant', { ip, userAgent });
      throw error;
    }
  }

  @Post('logout')
  @HttpCode(204)
  async logout(
    @CurrentUser() user: AuthenticatedUser,
    @Body() _body: LogoutDto,
    @Req() request: HttpRequest,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<void> {
    if (this.cookieMode) this.checkCsrf(() => this.cookie.assertCsrf(request), { ip, userAgent, userId: user.id });
    await this.tokens.logout(user);
    if (this.cookieMode) this.cookie.clear(response);
  }

  @Post('logout-all')
  @HttpCode(204)
  async logoutAll(@CurrentUser('id') userId: string): Promise<void> {
    await this.tokens.logoutAll(userId);
  }

  @Auth({ strict: true })
  @Post('change-password')
  @HttpCode(200)
  async changePassword(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: ChangePasswordDto,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<TokenPair> {
    await this.passwords.changePassword(Number(user.id), body.currentPassword, body.newPassword, { ip, userAgent });
    const pair = await this.tokens.passwordChanged(user.id, user.sessionId);
    return this.deliver(pair ?? (await this.tokens.login(user.id)), response);
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

  /** The pair as the client receives it: in cookie mode the refresh token goes into the cookie only. */
  private deliver({ sessionId: _sessionId, refreshToken, ...pair }: TokenPair, response: HttpResponse): TokenPair {
    if (!this.cookieMode || !refreshToken) return { ...pair, ...(refreshToken ? { refreshToken } : {}) };
    this.cookie.write(response, refreshToken, this.tokens.sessionLifetimeSeconds());
    return pair;
  }

  private checkCsrf<T>(check: () => T, client: ClientInfo & { userId?: string }): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof ForbiddenException) this.audit.record('csrf', 'refused', 'csrf_check_failed', client);
      throw error;
    }
  }
}
