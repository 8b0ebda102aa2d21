import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AuthTokenService } from 'nestjs-jwt-revocation';
import { UsersService, type UserWithRoles } from '../users/users.service';
import { Roles } from './roles.decorator';
import { RolesGuard } from './roles.guard';

@Controller('admin')
@UseGuards(RolesGuard)
export class AdminController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: AuthTokenService,
  ) {}

  /** Every user with their roles; 403 unless the token's `roles` claim has "admin". */
  @Roles('admin')
  @Get('users')
  list(): Promise<UserWithRoles[]> {
    return this.users.listWithRoles();
  }

  /** Incident response: every token and session issued before now is refused, the caller's too. */
  @Roles('admin')
  @Post('logout-everyone')
  @HttpCode(204)
  async logoutEveryone(): Promise<void> {
    await this.tokens.logoutEveryone();
  }
}
