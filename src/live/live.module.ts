import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { LiveGateway } from './live.gateway';

/** Live connections: the socket.io gateway whose sockets end when their session is revoked. */
@Module({
  imports: [UsersModule],
  providers: [LiveGateway],
})
export class LiveModule {}
