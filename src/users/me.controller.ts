import { Controller, Get, NotFoundException } from '@nestjs/common';
import { CurrentUser } from 'nestjs-jwt-revocation';
import { UsersService, type PublicUser } from './users.service';

@Controller('me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async me(@CurrentUser('id') userId: string): Promise<PublicUser> {
    const user = await this.users.findPublic(Number(userId));
    if (!user) throw new NotFoundException();
    return user;
  }
}
