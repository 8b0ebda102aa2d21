import type { Provider } from '@nestjs/common';
import { GraphqlWsLiveConnections } from './graphql-ws.live-connections';
import { LiveConnectionRegistry } from './live-connection.registry';
import { RevocationListeners } from './revocation-listeners';
import { SocketIoLiveConnections } from './socket-io.live-connections';
import { SseLiveConnectionInterceptor } from './sse-live-connection.interceptor';
import { SseRoutesEndOnRevocation } from './sse-routes-end-on-revocation';

/** Live connections that end on revocation: the registry, its bindings, and the @Sse() handlers' streams (bound per handler, not globally). */
export const LIVE_CONNECTION_PROVIDERS: Provider[] = [
  RevocationListeners,
  LiveConnectionRegistry,
  SocketIoLiveConnections,
  GraphqlWsLiveConnections,
  SseLiveConnectionInterceptor,
  SseRoutesEndOnRevocation,
];

export const LIVE_CONNECTION_EXPORTS = [RevocationListeners, LiveConnectionRegistry, SocketIoLiveConnections, GraphqlWsLiveConnections];
