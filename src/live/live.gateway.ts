import { SubscribeMessage, WebSocketGateway, WsException, type OnGatewayInit } from '@nestjs/websockets';
import { Auth, CurrentUser, SocketIoLiveConnections, type LiveSocketServer } from 'nestjs-jwt-revocation';
import { UsersService, type PublicUser } from '../users/users.service';

/**
 * socket.io on the demo's HTTP port (path /socket.io). Connect with `auth: { token }`: a
 * connection without a valid token is refused at the handshake; on revocation (any instance) or
 * expiry the server emits `revoked` `{ reason }` and disconnects; emit `authenticate` `{ token }`
 * with a fresh token to keep the socket past expiry.
 */
@WebSocketGateway()
export class LiveGateway implements OnGatewayInit {
  constructor(
    private readonly live: SocketIoLiveConnections,
    private readonly users: UsersService,
  ) {}

  afterInit(server: LiveSocketServer): void {
    this.live.bind(server);
  }

  /** The current user, checked again (guard) on every message. */
  @Auth()
  @SubscribeMessage('me')
  async me(@CurrentUser('id') userId: string): Promise<PublicUser> {
    const user = await this.users.findPublic(Number(userId));
    if (!user) throw new WsException({ status: 404, error: 'Not Found', message: 'No such user' });
    return user;
  }
}
