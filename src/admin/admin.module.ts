import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AdminController } from './admin.controller';
import { RolesGuard } from './roles.guard';

/** `GET /admin/users`, authorized by the `roles` claim of the access token. */
@Module({
  imports: [UsersModule],
  controllers: [AdminController],
  providers: [RolesGuard],
})
export class AdminModule {}
