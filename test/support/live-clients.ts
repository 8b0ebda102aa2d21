import { io, type Socket } from 'socket.io-client';

/** A socket.io client and what the server told it: `revoked` payloads, then how it was disconnected. */
export interface LiveSocketClient {
  socket: Socket;
  /** Events in the order received: `revoked:<reason>` and `disconnect:<reason>`. */
  seen: string[];
  /** Resolves with the `revoked` payload. */
  revoked: Promise<{ reason: string }>;
  /** Resolves with socket.io's disconnect reason ("io server disconnect" when the server closed it). */
  disconnected: Promise<string>;
  emit<T>(event: string, payload?: unknown): Promise<T>;
  close(): void;
}

/** Connects with `auth: { token }` and resolves once connected; rejects with the `connect_error`. */
export function connectSocket(baseUrl: string, token: string | undefined, options: { path?: string } = {}): Promise<LiveSocketClient> {
  const socket = io(baseUrl, {
    path: options.path,
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const seen: string[] = [];
  const revoked = new Promise<{ reason: string }>((resolve) =>
    socket.on('revoked', (payload: { reason: string }) => {
      seen.push(`revoked:${payload.reason}`);
      resolve(payload);
    }),
  );
  const disconnected = new Promise<string>((resolve) =>
    socket.on('disconnect', (reason) => {
      seen.push(`disconnect:${reason}`);
      resolve(reason);
    }),
  );
  revoked.catch(() => undefined);
  return new Promise((resolve, reject) => {
    socket.once('connect', () =>
      resolve({
        socket,
        seen,
        revoked,
        disconnected,
        emit: <T>(event: string, payload?: unknown) => socket.timeout(5000).emitWithAck(event, payload) as Promise<T>,
        close: () => socket.close(),
      }),
    );
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Resolves with what `promise` resolves to, or rejects after `ms` (a generous bound, never a race). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
  ]);
}

/** An open server-sent event stream: the text received so far, and when the server ended it. */
export interface EventStreamClient {
  status: number;
  text(): string;
  ended: Promise<void>;
  abort(): void;
}

/** Opens `GET url` as an event stream with a bearer token; resolves once the response head arrived. */
export async function openEventStream(url: string, token?: string): Promise<EventStreamClient> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: controller.signal,
  });
  let received = '';
  const decoder = new TextDecoder();
  const ended = (async () => {
    const reader = response.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += decoder.decode(value, { stream: true });
      }
    } catch {
      // aborted by the test
    }
  })();
  return { status: response.status, text: () => received, ended, abort: () => controller.abort() };
}
