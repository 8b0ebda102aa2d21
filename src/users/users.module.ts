import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MeController } from './me.controller';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { UsersService } from './users.service';

/** Accounts: the users table, password hashing and `GET /me`. */
@Module({
  imports: [TypeOrmModule.forFeature([User])],
  controllers: [MeController],
  providers: [UsersService, PasswordHasher],
  exports: [UsersService],
})
export class UsersModule {}
