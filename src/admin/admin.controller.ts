import { Controller, Get, UseGuards } from '@nestjs/common';
import { UsersService, type UserWithRoles } from '../users/users.service';
import { Roles } from './roles.decorator';
import { RolesGuard } from './roles.guard';

@Controller('admin')
@UseGuards(RolesGuard)
export class AdminController {
  constructor(private readonly users: UsersService) {}

  /** Every user with their roles; 403 unless the token's `roles` claim has "admin". */
  @Roles('admin')
  @Get('users')
  list(): Promise<UserWithRoles[]> {
    return this.users.listWithRoles();
  }
}
