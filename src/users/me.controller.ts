import { Controller, Get, NotFoundException } from '@nestjs/common';
import { CurrentUser } from 'nestjs-jwt-revocation';
import type { DemoClaims } from '../admin/roles.guard';
import { UsersService, type UserWithRoles } from './users.service';

@Controller('me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async me(@CurrentUser('id') userId: string, @CurrentUser('claims') claims: DemoClaims): Promise<UserWithRoles> {
    // @CurrentUser('id') is the token's `sub`, always a string: the numeric id is Number(userId).
    const user = await this.users.findPublic(Number(userId));
    if (!user) throw new NotFoundException();
    return { ...user, roles: claims.roles }; // from the token, as the roles guard reads them
  }
}
