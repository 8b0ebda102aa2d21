import type { Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { GraphqlWsLiveConnections } from './graphql-ws.live-connections';
import { LiveConnectionRegistry } from './live-connection.registry';
import { RevocationListeners } from './revocation-listeners';
import { SocketIoLiveConnections } from './socket-io.live-connections';
import { SseLiveConnectionInterceptor } from './sse-live-connection.interceptor';

/** Live connections that end on revocation: the registry, its bindings, and SSE streams ended globally. */
export const LIVE_CONNECTION_PROVIDERS: Provider[] = [
  RevocationListeners,
  LiveConnectionRegistry,
  SocketIoLiveConnections,
  GraphqlWsLiveConnections,
  { provide: APP_INTERCEPTOR, useClass: SseLiveConnectionInterceptor },
];

export const LIVE_CONNECTION_EXPORTS = [RevocationListeners, LiveConnectionRegistry, SocketIoLiveConnections, GraphqlWsLiveConnections];
